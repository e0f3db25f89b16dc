"""How a deadline was computed, in words: the memo, the case file and the export say
it the same way.

A deadline's `computation` is stored as data (`jurisdictions.reach.contract` for the
engine's deadlines, `jurisdictions.reach.court_rules.Working.as_json` for a counted
manual one, `{"rule": "given", "due": …}` for a due time entered by hand, the
nondisclosure order's expiry in `cases.actions.orders`). `in_words` turns any of them
into one sentence a lawyer reads without the keys:

    Response due 14 calendar days after service on 2 Dec 2026 (18 U.S.C. § 2703(h)(2)),
    moved past 16 Dec 2026 (weekend or public holiday) to the next business day in
    New York: 17 Dec 2026, end of day (05:00 UTC on 18 Dec 2026).

Pure: no ORM, no clock. An unknown shape falls back to the stored explanation, then to
the raw keys, so nothing recorded is hidden.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNITS = {
    "calendar_days": ("calendar day", "calendar days"),
    "business_days": ("business day", "business days"),
    "days": ("day", "days"),
    "hours": ("hour", "hours"),
}
COUNTING = {
    "day-of-service-is-day-1": "counting the day of service as day 1",
    "after-day-of-service": "not counting the day of service",
    "after-hour-of-receipt": "counted from the first full hour after receipt",
}


def day_text(day: dt.date) -> str:
    """ "2 Dec 2026": the day, unambiguous in every country."""
    return f"{day.day} {day:%b %Y}"


def place(time_zone: str | None) -> str:
    """Where a time zone's clock runs, for people: "America/New_York" -> "New York"."""
    if not time_zone:
        return "UTC"
    return time_zone.rsplit("/", 1)[-1].replace("_", " ")


def _zone(time_zone: str | None) -> dt.tzinfo:
    try:
        return ZoneInfo(time_zone) if time_zone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _instant(text: Any) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _day(text: Any) -> dt.date | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def instant_text(instant: dt.datetime, time_zone: str | None = None) -> str:
    """ "17:00 EST on 4 Jan 2027" in `time_zone` (UTC when none)."""
    local = instant.astimezone(_zone(time_zone))
    return f"{local:%H:%M} {local.tzname()} on {day_text(local.date())}"


def _period(length: Any, unit: Any) -> str:
    one, many = UNITS.get(str(unit), (str(unit).replace("_", " "), str(unit).replace("_", " ")))
    return f"{length} {one if length == 1 else many}"


def _days(values: Any) -> str:
    days = [d for d in (_day(v) for v in values or ()) if d is not None]
    return ", ".join(day_text(d) for d in days)


def _counted(c: Mapping[str, Any], subject: str, reader_zone: str | None = None) -> str:
    """A period counted from a start: the engine's or a court rule's working."""
    zone = c.get("time_zone")
    start = _instant(c.get("start"))
    trigger = "service" if c.get("basis") == "period" or "counting" in c else "the start"
    when = day_text(start.astimezone(_zone(zone)).date()) if start else "an unknown day"
    text = f"{subject} {_period(c.get('length'), c.get('unit'))} after {trigger} on {when}"
    if c.get("start_assumed"):
        text += " (no service time was given: counted from the day of the analysis)"
    authority = c.get("citation") or c.get("rule")
    if authority:
        text += f" ({authority})"
    if c.get("counting") in COUNTING:
        text += f", {COUNTING[c['counting']]}"
    if c.get("skipped"):
        text += f", not counting {_days(c['skipped'])}"
    last_day = _day(c.get("last_day"))
    due = _instant(c.get("due"))
    if c.get("rolled_over"):
        text += (
            f"; {_days(c['rolled_over'])} fell on a weekend or public holiday, "
            f"so it moved to the next business day in {place(zone)}"
        )
    else:
        text += f", in {place(zone)}"
    if last_day is not None:
        text += f": {day_text(last_day)}, end of day"
        if due is not None:
            text += f" ({instant_text(due, reader_zone)})"
    elif due is not None:
        text += f": {instant_text(due, zone)}"
        if (reader_zone or "UTC") != (zone or "UTC"):
            text += f" ({instant_text(due, reader_zone)})"
    return text + "."


def subject(kind_label: str, label: str = "") -> str:
    """What the sentence calls the deadline: "Response due", "Comity motion
    (§2703(h)(2)) due", "Preservation expires", a custom deadline's own label."""
    name = label if kind_label in ("", "Custom") and label else (kind_label or "Deadline")
    return name if name.endswith((" due", " expires")) else f"{name} due"


def in_words(computation: Mapping[str, Any] | None, *, label: str = "Due", reader_zone: str | None = None) -> str:
    """One sentence saying how the deadline was computed; `label` names the deadline
    ("Response due", "Comity motion (§2703(h)(2)) due"). The instant a last day ends at
    is also given in `reader_zone` (a page's reader's zone; UTC when none, as the
    export has it)."""
    c = computation or {}
    if not c:
        return ""
    due = _instant(c.get("due"))
    if c.get("rule") == "given" or c.get("basis") == "due_at":
        source = "as entered by counsel" if c.get("rule") == "given" else "as the demand itself states"
        text = f"{label} {instant_text(due, c.get('time_zone'))}, {source}." if due else f"{label}: {source}."
    elif c.get("expires_on") and c.get("basis") is not None and "order" in c:
        expires = _day(c.get("expires_on"))
        start = _day(c.get("start"))
        text = (
            f"{c['basis']}{f' (from {day_text(start)})' if start else ''} expires on "
            f"{day_text(expires) if expires else c['expires_on']}, end of day in {place(c.get('time_zone'))}: "
            "extend it, or tell the customer from that day."
        )
        if c.get("extensions"):
            text += f" Extended before: {_days(c['extensions']) or ', '.join(map(str, c['extensions']))}."
    elif c.get("length") is not None and c.get("unit"):
        text = _counted(c, label, reader_zone)
    elif c.get("explanation"):
        text = str(c["explanation"])
    else:
        return "; ".join(f"{k}: {v}" for k, v in c.items())
    moved = _instant(c.get("moved_from"))
    if moved is not None:
        text += f" Moved from {instant_text(moved, reader_zone)}"
        text += f": {c['reason']}." if c.get("reason") else "."
    if c.get("note"):
        text += f" Note: {c['note']}"
    return text
