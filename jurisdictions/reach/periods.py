"""Counting deadlines (shared/RULES.md §5).

A period is counted in the time zone of the place where the act is due. A period in
days ends at the end of its last day, i.e. 00:00 of the next day in that zone; a
period in hours counts elapsed hours from the first full hour after receipt.

Holidays come from calendars named in the catalogue (`[[holiday]]`, holidays.toml):
a calendar is either a set of rules (US federal and state legal holidays, generated
by `legal_holidays`) or, for rows with rule "package", the `holidays` package's
national calendar for the years those rows allow; a calendar with no row has none.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .legal_holidays import legal_holidays, observances
from .types import Catalogue, Deadline, Period

Holidays = Callable[[int], frozenset[date]]
HolidayNames = Callable[[date], str]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

ONE_DAY = timedelta(days=1)
ONE_HOUR = timedelta(hours=1)


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The country's public holidays in `year`; cached per (country, year)."""
    return frozenset(holidays.country_holidays(country, years=year))


def holidays_for(catalogue: Catalogue, calendars: tuple[str, ...]) -> Holidays:
    """year -> the holidays of `calendars` in that year (`legal_holidays` caches them)."""
    rules = catalogue.holiday_rules
    return lambda year: legal_holidays(rules, calendars, year)


def holiday_names_for(catalogue: Catalogue, calendars: tuple[str, ...]) -> HolidayNames:
    """day -> why it is no working day, in words ("Monday, Lincoln's Birthday (NY)")."""
    rules = catalogue.holiday_rules

    def why(day: date) -> str:
        parts = [WEEKDAYS[day.weekday()]]
        for observance in observances(rules, calendars, day):
            name = observance.name
            if observance.rule.to_confirm:
                name += f" (to be confirmed by counsel: {observance.rule.to_confirm})"
            if name not in parts:
                parts.append(name)
        return ", ".join(parts)

    return why


def is_working_day(day: date, holidays: Holidays | None) -> bool:
    if day.weekday() >= 5:
        return False
    return holidays is None or day not in holidays(day.year)


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
    calendars: tuple[str, ...] = (),
    holidays: Holidays | None = None,
    length: int | None = None,
    names: HolidayNames | None = None,
) -> Deadline:
    """The deadline of `period` for a demand served at `served_at`, with its working.

    `length` replaces the period's own (an extended preservation); `holidays` gives
    the holidays of `calendars` by year (None: weekends only roll, when the period rolls).
    """
    length = length or period.length
    start = service_instant(served_at, as_of, time_zone)
    tz = start.tzinfo
    rolled: list[date] = []
    last_day: date | None = None
    if period.unit == "hours":
        # The hour in which it was received is not counted (Reg. 1182/71 Art. 3(1)):
        # a receipt at exactly 09:00:00 starts the count at 10:00.
        first_hour = start.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        due = first_hour + ONE_HOUR + length * ONE_HOUR
    else:
        first_day = start.date()
        if period.counting == "day-of-service-is-day-1":
            last_day = first_day + (length - 1) * ONE_DAY
        else:  # "after-day-of-service"
            last_day = first_day + length * ONE_DAY
        if period.roll_over:
            while not is_working_day(last_day, holidays):
                rolled.append(last_day)
                last_day += ONE_DAY
        if last_day >= date.max:
            raise OverflowError("the deadline falls after 9999-12-31")
        due = datetime.combine(last_day + ONE_DAY, time(0), tzinfo=tz).astimezone(UTC)
    return Deadline(
        kind=kind,
        due=due,
        basis="period",
        period=period.code,
        start=start,
        start_assumed=served_at is None,
        length=length,
        unit=period.unit,
        counting=period.counting,
        last_day=last_day,
        rolled_over=tuple(rolled),
        rolled_over_why=tuple(names(day) if names else WEEKDAYS[day.weekday()] for day in rolled),
        time_zone=time_zone,
        holidays_country=", ".join(calendars) if period.roll_over and calendars else None,
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
        why = deadline.rolled_over_why or tuple("" for _ in deadline.rolled_over)
        skipped = ", ".join(
            f"{d.isoformat()} ({w})" if w else d.isoformat() for d, w in zip(deadline.rolled_over, why, strict=True)
        )
        where = f"holiday calendars {deadline.holidays_country}" if deadline.holidays_country else "weekends only"
        text += f" after rolling over {skipped} ({where})"
    return text + f"; due {utc_text(deadline.due)}."
