"""Counting manual court deadlines: calendar days, business days or hours.

Pure functions over plain values, no ORM and no clock, so every rule can be tested
from a table. The conventions are those of Fed. R. Civ. P. 6(a) and Fed. R. App. P.
26(a), which most of our manual deadlines (objections, notices of appeal) follow:

- calendar days: the day of the triggering event is not counted; every later day is,
  weekends and holidays included; when the last day is a Saturday, Sunday or public
  holiday the period runs on to the next working day. A day ends at midnight in the
  court's time zone, so the deadline is 00:00 of the following day there.
- business days: only working days after the triggering day are counted.
- hours: counted from the triggering instant, every hour; when the period ends on a
  weekend or public holiday it runs on to the same time on the next working day.

Public holidays are the `holidays` package's calendar of the jurisdiction
(`periods.public_holidays`), observed dates included. The named rules (length, unit,
citation) are the catalogue's `[[court_rule]]` rows (catalogue/court_rules.toml):
`rules()` and `default_rules()` read them from the files, no database needed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypedDict

from .files import DEFAULT_DIRECTORY, shipped_catalogue
from .periods import public_holidays, zone
from .types import CourtRule, CourtRuleUnit

Unit = CourtRuleUnit
ONE_DAY = timedelta(days=1)


def _working_day(day: date, holidays_country: str | None) -> bool:
    """Not a weekend day nor a public holiday of the country's national calendar."""
    if day.weekday() >= 5:
        return False
    return holidays_country is None or day not in public_holidays(holidays_country, day.year)


def rules(directory: Path | str = DEFAULT_DIRECTORY) -> Mapping[str, CourtRule]:
    """The catalogue's court rules by code (cached until a catalogue file changes)."""
    return shipped_catalogue(directory).court_rule_by_code


def default_rules(directory: Path | str = DEFAULT_DIRECTORY) -> Mapping[str, str]:
    """Deadline kind -> the code of the rule it follows unless counsel picks another."""
    return shipped_catalogue(directory).default_court_rules


@dataclass(frozen=True)
class Working:
    """A deadline and how it was counted."""

    due: datetime  # UTC
    start: datetime  # in `time_zone`
    length: int
    unit: Unit
    time_zone: str
    holidays_country: str | None
    roll_over: bool
    rule: str = ""
    citation: str = ""
    last_day: date | None = None
    skipped: tuple[date, ...] = field(default=())  # days not counted (business days)
    rolled_over: tuple[date, ...] = field(default=())  # days the end was carried past

    def explain(self) -> str:
        unit = self.unit.replace("_", " ")
        text = f"{self.length} {unit} from {self.start.isoformat()} in {self.time_zone}"
        if self.unit != Unit.HOURS:
            text += " (that day not counted)"
        if self.rule or self.citation:
            text += f" under {self.citation or self.rule}"
        if self.skipped:
            text += f"; not counted: {', '.join(d.isoformat() for d in self.skipped)}"
        if self.last_day:
            text += f"; last day {self.last_day.isoformat()}"
        if self.rolled_over:
            calendar = self.holidays_country or "no holiday calendar"
            text += (
                f" after rolling over {', '.join(d.isoformat() for d in self.rolled_over)}"
                f" (weekend or public holiday, {calendar})"
            )
        return text + f"; due {self.due.strftime('%Y-%m-%dT%H:%M:%SZ')}."

    def as_json(self) -> dict:
        """The `computation` stored on a Deadline: start, period, rule and the working."""
        return {
            "start": self.start.isoformat(),
            "length": self.length,
            "unit": str(self.unit),
            "rule": self.rule,
            "citation": self.citation,
            "time_zone": self.time_zone,
            "holidays_country": self.holidays_country,
            "roll_over": self.roll_over,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "skipped": [d.isoformat() for d in self.skipped],
            "rolled_over": [d.isoformat() for d in self.rolled_over],
            "due": self.due.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "explanation": self.explain(),
        }


class _Counting(TypedDict):
    """What `count` was asked, as carried onto `Working`."""

    start: datetime
    length: int
    unit: Unit
    time_zone: str
    holidays_country: str | None
    roll_over: bool
    rule: str
    citation: str


def count(
    *,
    start: date | datetime,
    length: int,
    unit: Unit | str,
    time_zone: str,
    holidays_country: str | None,
    roll_over: bool = True,
    rule: str = "",
    citation: str = "",
) -> Working:
    """The end of a period of `length` `unit`s from `start`, counted in `time_zone`.

    `start` is the triggering event: an aware datetime, or for periods in days a date.
    Raises ValueError for a period that cannot be counted.
    """
    try:
        unit = Unit(unit)
    except ValueError:
        raise ValueError(f"unknown unit {unit!r}; use one of {', '.join(Unit)}") from None
    if isinstance(length, bool) or not isinstance(length, int) or length < 1:
        raise ValueError(f"a period is a whole number of at least 1 {unit}; got {length!r}")
    tz = zone(time_zone)
    if isinstance(start, datetime):
        if start.tzinfo is None:
            raise ValueError("the start must be an aware datetime (with a time zone)")
        start_local = start.astimezone(tz)
    elif unit == Unit.HOURS:
        raise ValueError("a period in hours needs a start time, not only a date")
    else:
        start_local = datetime.combine(start, time(0), tzinfo=tz)

    working: _Counting = dict(
        start=start_local,
        length=length,
        unit=unit,
        time_zone=time_zone,
        holidays_country=holidays_country,
        roll_over=roll_over,
        rule=rule,
        citation=citation,
    )
    rolled: list[date] = []
    if unit == Unit.HOURS:
        # Elapsed hours, so counted in UTC: a change to or from summer time in the
        # period does not lengthen or shorten it.
        end = (start_local.astimezone(UTC) + timedelta(hours=length)).astimezone(tz)
        while roll_over and not _working_day(end.date(), holidays_country):
            rolled.append(end.date())
            end = datetime.combine(end.date() + ONE_DAY, end.timetz().replace(tzinfo=None), tzinfo=tz)
        return Working(due=end.astimezone(UTC), rolled_over=tuple(rolled), **working)

    day = start_local.date()
    skipped: list[date] = []
    if unit == Unit.CALENDAR_DAYS:
        day += length * ONE_DAY
    else:
        counted = 0
        while counted < length:
            day += ONE_DAY
            if _working_day(day, holidays_country):
                counted += 1
            else:
                skipped.append(day)
    while roll_over and not _working_day(day, holidays_country):
        rolled.append(day)
        day += ONE_DAY
    due = datetime.combine(day + ONE_DAY, time(0), tzinfo=tz).astimezone(UTC)
    return Working(due=due, last_day=day, skipped=tuple(skipped), rolled_over=tuple(rolled), **working)
