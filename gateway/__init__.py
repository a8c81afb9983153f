"""Ignition Gateway: the process (settings, app factory, CLI, health, embedded PostgreSQL).

Nothing happens at import time; build the application with :func:`gateway.app.create_app`.
"""

__version__ = "0.1.0"
