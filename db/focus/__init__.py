"""Focus timer: focus sessions, their pause state, and focus music libraries."""
