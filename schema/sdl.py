"""The schema as a module attribute, for ``strawberry export-schema schema.sdl:schema``.

Regenerate the committed SDL with::

    strawberry export-schema schema.sdl:schema --output schema/schema.graphql

``tests/api/test_sdl.py`` fails when the committed file differs from the running schema.
"""

from schema import build_schema

schema = build_schema()
