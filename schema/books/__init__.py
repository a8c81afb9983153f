"""Books and reading sessions."""

from schema.core.spec import Domain, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec("books", search=("title", "author")),
        TableSpec("reading_sessions", order=("-started_at",)),
    ),
)
