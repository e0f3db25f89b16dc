"""The time zones a person may pick: every IANA zone name the Python runtime knows
(`zoneinfo.available_timezones()`, from the system's or the `tzdata` package's
database). Pages show instants in the person's zone (accounts.middleware); the API and
the JSON export stay in UTC."""

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError

DEFAULT = "UTC"


@cache
def zone_names() -> frozenset[str]:
    """Every valid zone name (cached: the database does not change while a process runs)."""
    return frozenset(zoneinfo.available_timezones())


def is_zone(name: str) -> bool:
    return bool(name) and name in zone_names()


@cache
def zone_choices() -> list[tuple[str, str]]:
    """(name, label) for a select: UTC first, then the zones by name ("America/New_York"
    reads "America/New York"). The legacy aliases (US/Eastern, EST5EDT…) are left out of
    the menu; they stay valid if already stored."""
    names = sorted(n for n in zone_names() if "/" in n and not n.startswith(("Etc/", "SystemV/", "US/")))
    return [(DEFAULT, DEFAULT), *[(n, n.replace("_", " ")) for n in names]]


def validate_time_zone(name: str) -> None:
    """Refuses a name that is not an IANA zone; blank is allowed (not yet set)."""
    if name and not is_zone(name):
        raise ValidationError(
            "%(name)s is not a time zone name; pick one from the list (e.g. Europe/Berlin).",
            code="invalid_time_zone",
            params={"name": name[:64]},
        )
