"""Counting manual court deadlines: the names the case side has always imported.

The counting lives in `jurisdictions.reach.court_rules` (pure, no ORM, no clock);
the named court rules are the catalogue's `[[court_rule]]` rows
(jurisdictions/catalogue/court_rules.toml), read from the files without a database
and cached until a file changes.

- `RULES`: rule code -> `CourtRule` (length, unit, citation, roll_over).
- `DEFAULT_RULES`: deadline kind -> the rule code it follows unless counsel picks another.
- `Unit`, `Working`, `count`: the units, a counted deadline with its working, the counting.
"""

from collections.abc import Mapping

from jurisdictions.reach.court_rules import Unit, Working, count, default_rules, rules
from jurisdictions.reach.types import CourtRule

# RULES and DEFAULT_RULES are module attributes too, read by `__getattr__` below.
__all__ = ["CourtRule", "Unit", "Working", "count"]


def __getattr__(name: str) -> Mapping:
    # Read on use, not on import: the catalogue files may change while a process runs.
    if name == "RULES":
        return rules()
    if name == "DEFAULT_RULES":
        return default_rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
