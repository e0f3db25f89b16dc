"""Counting deadlines (shared/RULES.md §5).

A period is counted in the time zone of the place where the act is due. A period in
days ends at the end of its last day, i.e. 00:00 of the next day in that zone; a
period in hours counts elapsed hours from the first full hour after receipt. Public
holidays are the `holidays` package's national calendar, observed dates included.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .types import Deadline, Period

ONE_DAY = timedelta(days=1)
ONE_HOUR = timedelta(hours=1)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The country's public holidays in `year`; cached per (country, year)."""
    return frozenset(holidays.country_holidays(country, years=year))


def is_working_day(day: date, holidays_country: str | None) -> bool:
    if day.weekday() >= 5:
        return False
    return holidays_country is None or day not in public_holidays(holidays_country, day.year)


def service_instant(served_at: datetime | None, as_of: date, time_zone: str) -> datetime:
    """Service (or receipt) in `time_zone`; no `served_at` means 00:00 on the as-of date."""
    tz = zone(time_zone)
    if served_at is None:
        return datetime.combine(as_of, time(0), tzinfo=tz)
    return served_at.astimezone(tz)


def count(
    period: Period,
    *,
    kind: str,
    served_at: datetime | None,
    as_of: date,
    time_zone: str,
    holidays_country: str | None,
) -> Deadline:
    """The deadline of `period` for a demand served at `served_at`, with its working."""
    start = service_instant(served_at, as_of, time_zone)
    tz = start.tzinfo
    rolled: list[date] = []
    last_day: date | None = None
    if period.unit == "hours":
        # The hour in which it was received is not counted (Reg. 1182/71 Art. 3(1)):
        # a receipt at exactly 09:00:00 starts the count at 10:00.
        first_hour = start.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        due = first_hour + ONE_HOUR + period.length * ONE_HOUR
    else:
        first_day = start.date()
        if period.counting == "day-of-service-is-day-1":
            last_day = first_day + (period.length - 1) * ONE_DAY
        else:  # "after-day-of-service"
            last_day = first_day + period.length * ONE_DAY
        if period.roll_over:
            while not is_working_day(last_day, holidays_country):
                rolled.append(last_day)
                last_day += ONE_DAY
        due = datetime.combine(last_day + ONE_DAY, time(0), tzinfo=tz).astimezone(UTC)
    return Deadline(
        kind=kind,
        due=due,
        basis="period",
        period=period.code,
        start=start,
        start_assumed=served_at is None,
        length=period.length,
        unit=period.unit,
        counting=period.counting,
        last_day=last_day,
        rolled_over=tuple(rolled),
        time_zone=time_zone,
        holidays_country=holidays_country if period.roll_over else None,
        citation=period.citation,
    )


def given(kind: str, due_at: datetime) -> Deadline:
    """A deadline the demand states itself (`due_at`), converted to UTC."""
    return Deadline(
        kind=kind,
        due=due_at.astimezone(UTC),
        basis="due_at",
        citation="the demand's own due date",
    )


def utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(deadline: Deadline) -> str:
    """The working of a deadline in one plain-English sentence."""
    if deadline.basis == "due_at":
        return f"Due {utc_text(deadline.due)}, as the demand itself states."
    start = deadline.start.isoformat() if deadline.start else "?"
    if deadline.start_assumed:
        start += " (no service time given: 00:00 on the as-of date)"
    counting = {
        "day-of-service-is-day-1": "beginning with the day of service (day 1)",
        "after-day-of-service": "after the day of service (that day not counted)",
        "after-hour-of-receipt": "from the first full hour after receipt",
    }[deadline.counting or ""]
    text = f"Served {start}; {deadline.length} {deadline.unit} counted {counting} in {deadline.time_zone}"
    if deadline.last_day is not None:
        text += f"; last day {deadline.last_day.isoformat()}"
    if deadline.rolled_over:
        skipped = ", ".join(d.isoformat() for d in deadline.rolled_over)
        text += f" after rolling over {skipped} (Saturday, Sunday or public holiday in {deadline.holidays_country})"
    return text + f"; due {utc_text(deadline.due)}."
