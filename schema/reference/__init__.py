"""Reference tracks and their analyses, annotations, regions, frame manifests and events."""

from schema.core.spec import Domain, TableSpec

DOMAIN = Domain(
    tables=(TableSpec("reference_tracks", search=("name", "artist")),),
)
