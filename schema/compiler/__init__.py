"""Compiled reads: query operations over the generated types as one SQL statement that builds
the response's JSON (docs/design.md#the-compiled-path). See :mod:`schema.compiler.compiler`."""

from schema.compiler.compiler import Compiler, NotCovered, Plan, Prepared
from schema.core.sql import viewer_kind

__all__ = ["Compiler", "NotCovered", "Plan", "Prepared", "viewer_kind"]
