"""The event outbox: what transitions publish to subscribers
(docs/design.md#events-and-the-outbox)."""
