"""Reference tracks and their analyses, annotations, regions, frame manifests and events."""

from schema.core.spec import TableSpec, register

register(
    TableSpec("reference_tracks", search=("name", "artist")),
)
