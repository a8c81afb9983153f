"""The event outbox: what transitions publish to subscribers (DESIGN.md section 5)."""
