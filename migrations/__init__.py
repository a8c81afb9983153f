"""Alembic migrations: one revision per domain for the initial schema, then one per change."""
