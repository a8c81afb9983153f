"""The XP curve: the one place that says how much XP a level takes (docs/design.md#levels).

Level ``n`` (starting at 1) needs ``100 * n`` XP to go to level ``n + 1``: level 1 -> 2 takes
100 XP, 2 -> 3 takes 200 XP, and so on. So level ``n`` starts at a total of
``50 * n * (n - 1)`` XP:

=====  ====================  ==============================
level  total XP at its start  XP to go to the next level
=====  ====================  ==============================
1      0                      100
2      100                    200
3      300                    300
5      1,000                  500
10     4,500                  1,000
=====  ====================  ==============================

``user_progress`` stores the result for a user's ``total_xp`` (the sum of their
``points_ledger.xp``): ``current_level = level_for_xp(total_xp)`` and ``xp_to_next_level =
xp_remaining(total_xp)``, the XP still missing to reach the next level (100 for a new user with
0 XP, the column's default).
"""

from __future__ import annotations

import math

#: XP that level 1 needs to reach level 2; level ``n`` needs ``n`` times this.
XP_STEP = 100


def xp_to_next_level(level: int) -> int:
    """The XP it takes to go from ``level`` to ``level + 1``: ``100 * level``.

    Args:
        level: a level, >= 1.

    Raises:
        ValueError: ``level`` < 1.
    """
    if level < 1:
        raise ValueError(f"levels start at 1, got {level}")
    return XP_STEP * level


def xp_for_level(level: int) -> int:
    """The total XP at which ``level`` is reached: ``50 * level * (level - 1)`` (0 for level 1).

    Raises:
        ValueError: ``level`` < 1.
    """
    if level < 1:
        raise ValueError(f"levels start at 1, got {level}")
    return XP_STEP * level * (level - 1) // 2


def level_for_xp(total_xp: int) -> int:
    """The level of a user with ``total_xp`` XP in total: the highest ``n`` with
    ``xp_for_level(n) <= total_xp`` (1 for 0 XP, 2 from 100 XP, 3 from 300 XP, ...).

    Raises:
        ValueError: ``total_xp`` is negative.
    """
    if total_xp < 0:
        raise ValueError(f"total XP cannot be negative, got {total_xp}")
    # Solve 50 n (n - 1) <= total_xp for the largest integer n, then correct the float root.
    level = max(1, int((1 + math.sqrt(1 + 8 * total_xp / XP_STEP)) / 2))
    while xp_for_level(level + 1) <= total_xp:
        level += 1
    while level > 1 and xp_for_level(level) > total_xp:
        level -= 1
    return level


def xp_remaining(total_xp: int) -> int:
    """The XP still missing to reach the next level with ``total_xp`` XP (always >= 1): what
    ``user_progress.xp_to_next_level`` stores.

    Raises:
        ValueError: ``total_xp`` is negative.
    """
    return xp_for_level(level_for_xp(total_xp) + 1) - total_xp


__all__ = ["XP_STEP", "level_for_xp", "xp_for_level", "xp_remaining", "xp_to_next_level"]
