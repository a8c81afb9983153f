"""Planning: calendar events, daily plans, plan templates."""

import sqlalchemy as sa

from schema.core.spec import Domain, RootField, TableSpec

DOMAIN = Domain(
    tables=(
        TableSpec(
            "plan_templates",
            public_when=lambda t: sa.or_(t.c.is_public, t.c.user_id.is_(None)),
            order=("name",),
            roots=(RootField("planTemplates", "Public day-plan templates and the viewer's own."),),
        ),
        TableSpec("calendar_events", order=("-start_time",)),
        TableSpec("daily_plans", order=("-date",)),
    ),
)
