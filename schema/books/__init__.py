"""Books and reading sessions."""

from schema.core.spec import TableSpec, register

register(
    TableSpec("books", search=("title", "author")),
    TableSpec("reading_sessions", order=("-started_at",)),
)
