"""Listening prompts: admin-curated critical-listening templates and their presets."""
