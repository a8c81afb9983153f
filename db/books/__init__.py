"""Books: the reading list and reading sessions."""
