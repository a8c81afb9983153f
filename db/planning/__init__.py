"""Planning: calendar events, daily plans and plan templates."""
