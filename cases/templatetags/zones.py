"""Instants as a reader in any country reads them: in the user's own time zone, with its
abbreviation, and a legal deadline also in the zone that governs it.

The user's zone is activated per request by `accounts.middleware.UserTimeZoneMiddleware`
(UTC until the user has one). A deadline's governing zone is the one it was counted in,
recorded in its `computation` (`time_zone`): the court's, else the issuing
jurisdiction's. A period counted in days ends at the end of its last day there
(`last_day`; stored as 00:00 of the next day), which is what a court reads and what the
memo and the export show.

    {% load zones %}
    {{ case.next_deadline_at|when }}   7 Dec 2026, 10:00 CET
    {{ deadline|deadline_when }}       ends 9 Dec 2026, end of day, New York — 10 Dec 2026, 06:00 CET in your zone
    {{ value|zone_abbr }}              CET
    {% current_zone %}                 Europe/Berlin

The API and the JSON export keep UTC ISO-8601; these are for pages only.
"""

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import cast

from django import template
from django.utils import timezone

register = template.Library()

# Units whose periods end at the end of a day (the engine's and the court rules').
_DAY_UNITS = frozenset({"days", "calendar_days", "business_days", "court_days", "weeks", "months", "years"})


def _zone(name: str | None) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _abbr(value: dt.datetime) -> str:
    """The zone's abbreviation at that instant ("CET", "EST"); zones without one
    (tzdata writes "+04") read as an offset from UTC ("UTC+04")."""
    name = value.tzname() or ""
    if name[:1] in "+-" and name:
        return f"UTC{name}"
    return name


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _clock(value: dt.datetime, *, seconds: bool = False) -> str:
    return f"{value:%H:%M:%S}" if seconds else f"{value:%H:%M}"


def _as_datetime(value) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            if len(value) == 10:  # YYYY-MM-DD: a day, not midnight
                return dt.date.fromisoformat(value)
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def place(zone_name: str) -> str:
    """The city of an IANA zone name, as a reader says it: "America/New_York" -> "New York"."""
    if not zone_name:
        return ""
    if zone_name in {"UTC", "Etc/UTC", "GMT"}:
        return "UTC"
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def local(value: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
    """An aware datetime in `zone` (default: the active zone); naive ones are left as they are."""
    if timezone.is_naive(value):
        return value
    return value.astimezone(zone) if zone is not None else timezone.localtime(value)


def format_when(value, *, zone: dt.tzinfo | None = None, seconds: bool = False) -> str:
    """ "7 Dec 2026, 10:00 CET": an instant in `zone` (default: the active one). A date
    alone is "7 Dec 2026"; nothing is ""."""
    value = _as_datetime(value)
    if value is None:
        return ""
    if not isinstance(value, dt.datetime):
        return _day(value)
    if timezone.is_naive(value):
        return f"{_day(value)}, {_clock(value, seconds=seconds)}"
    shown = local(value, zone)
    return f"{_day(shown)}, {_clock(shown, seconds=seconds)} {_abbr(shown)}"


@register.filter(expects_localtime=False, is_safe=False)
def when(value, arg: str = "") -> str:
    """An instant in the user's zone with its abbreviation: "7 Dec 2026, 10:00 CET".
    `|when:"seconds"` adds the seconds. Empty for nothing, so `|default:"—"` works."""
    return format_when(value, seconds=arg == "seconds")


@register.filter(expects_localtime=False)
def zone_abbr(value) -> str:
    """The active zone's abbreviation at that instant ("CET" in winter, "CEST" in summer)."""
    value = _as_datetime(value)
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        return ""
    return _abbr(timezone.localtime(value))


@register.simple_tag
def current_zone() -> str:
    """The IANA name of the active zone (the user's, else UTC)."""
    return timezone.get_current_timezone_name()


def _get(deadline, name: str):
    if isinstance(deadline, Mapping):
        return deadline.get(name)
    return getattr(deadline, name, None)


def governing(deadline) -> tuple[str, bool, dt.date | dt.datetime] | None:
    """(zone name, ends at end of day, the last day or the instant there) for a deadline
    whose computation records the zone it was counted in; None when it records none."""
    due = _as_datetime(_get(deadline, "due_at"))
    computation = _get(deadline, "computation") or {}
    zone_name = computation.get("time_zone") if isinstance(computation, Mapping) else None
    zone = _zone(zone_name)
    if zone is None or not isinstance(due, dt.datetime) or timezone.is_naive(due):
        return None
    zone_name = cast(str, zone_name)  # a zone's name: _zone found it
    there = due.astimezone(zone)
    at_midnight = there.time() == dt.time.min
    last_day = _as_datetime(computation.get("last_day"))
    previous_day = there.date() - dt.timedelta(days=1)
    if at_midnight and isinstance(last_day, dt.date) and not isinstance(last_day, dt.datetime):
        if last_day == previous_day:
            return zone_name, True, last_day
    elif at_midnight and last_day is None and str(computation.get("unit") or "") in _DAY_UNITS:
        return zone_name, True, previous_day
    return zone_name, False, there


def format_deadline(deadline, *, verb: str = "ends") -> str:
    """ "ends 9 Dec 2026, end of day, New York — 10 Dec 2026, 06:00 CET in your zone".

    The first part is in the zone that governs the deadline (when its computation
    records one); the second is the user's own time, left out when it reads the same.
    A deadline that records no zone (a due time given as such) is the user's time alone.
    """
    due = _as_datetime(_get(deadline, "due_at"))
    if not isinstance(due, dt.datetime):
        return format_when(due)
    found = governing(deadline)
    mine = format_when(due)
    if found is None:
        return mine
    zone_name, end_of_day, there = found
    where = "" if place(zone_name) == "UTC" else f", {place(zone_name)}"
    if end_of_day:
        head = f"{_day(there)}, end of day{where or ' UTC'}"
    else:
        head = f"{format_when(there, zone=cast(dt.datetime, there).tzinfo)}{where}"  # an instant, not a day
    head = f"{verb} {head}" if verb else head
    if timezone.get_current_timezone_name() == zone_name:
        return head
    if not end_of_day and format_when(due, zone=_zone(zone_name)) == mine:
        return head
    return f"{head} — {mine} in your zone"


@register.filter(expects_localtime=False)
def deadline_when(deadline, arg: str = "") -> str:
    """A legal deadline in the zone that governs it and in the user's zone (see
    `format_deadline`); a `cases.Deadline` or the export's dict of one.
    `|deadline_when:"bare"` leaves out the leading "ends" (after "Response due")."""
    if deadline is None or deadline == "":
        return ""
    return format_deadline(deadline, verb="" if arg == "bare" else "ends")


@register.simple_tag
def now_when() -> str:
    """The current instant in the active zone: "7 Dec 2026, 10:00 CET"."""
    return format_when(timezone.now())
