"""Legal holidays from `[[holiday]]` rows (shared/RULES.md §5.4; catalogue/holidays.toml).

The rows hold the law: which days, their year bounds and each statute's weekend rule.
This module only does the calendar arithmetic: the nth weekday of a month, Western
Easter, the Tuesday after the first Monday of November, and the weekend shift. A row
with rule "package" (holidays_eu.toml) stands for the whole national calendar of the
`holidays` package for its `calendar` code, default options, in its year bounds; the
US rows never use it (RULES.md §5.4: the US days are the table's, not the package's).

A row's *year* is the year of its unshifted day: the year bounds and the `years`
filter apply to it. The shifted (observed) day may fall in the neighbouring year:
New Year's Day on Saturday 1 January 2022 makes Friday 31 December 2021 a holiday,
so `legal_holidays(rules, ("US",), 2021)` includes 2021-12-31.

Results are cached per (rules tuple, calendars, year); the rules tuple is keyed by
identity (the catalogue's tuple is built once), so a call costs a dictionary lookup.
"""

import calendar as _calendar
import functools
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import NamedTuple

import holidays

from .types import HOLIDAY_RULES, WEEKEND_RULES, CatalogueError, HolidayRule

ONE_DAY = timedelta(days=1)
SATURDAY, SUNDAY = 5, 6
MAX_OFFSET = 180  # days; rows of the year before and after cover any shift this size
YEARS_KEYWORDS = ("all", "even", "after-presidential")

# The fields each rule kind needs; every other day-finding field must be left out.
_NEEDS: dict[str, tuple[str, ...]] = {
    "fixed": ("month", "day"),
    "nth-weekday": ("month", "weekday", "nth"),
    "last-weekday": ("month", "weekday"),
    "easter": (),
    "election-day": (),
    "dates": ("dates",),
    "package": (),
}
_DAY_FIELDS = ("month", "day", "weekday", "nth", "dates")


class Observance(NamedTuple):
    """One holiday on one day: its display name, its row, and whether it is the shifted day."""

    name: str
    rule: HolidayRule
    observed: bool


# ------------------------------------------------------------------------ public API


def legal_holidays(rules: tuple[HolidayRule, ...], calendars: tuple[str, ...], year: int) -> frozenset[date]:
    """The legal holidays of `calendars` that fall in `year`, observed (shifted) days included."""
    return _year_table(_ByIdentity(rules), _as_tuple(calendars), year).days


def holiday_names(rules: tuple[HolidayRule, ...], calendars: tuple[str, ...], day: date) -> list[str]:
    """The names of the holidays of `calendars` on `day`, e.g. "Lincoln's Birthday (NY)",
    "New Year's Day (observed)"; empty on a day that is no holiday."""
    names: list[str] = []
    for observance in observances(rules, calendars, day):
        if observance.name not in names:
            names.append(observance.name)
    return names


def observances(rules: tuple[HolidayRule, ...], calendars: tuple[str, ...], day: date) -> tuple[Observance, ...]:
    """The holidays of `calendars` on `day` with their rows (for citations and † notes),
    in the order of `calendars`, then of the rows."""
    return _year_table(_ByIdentity(rules), _as_tuple(calendars), day.year).by_day.get(day, ())


def holiday_calendars(rules: Iterable[HolidayRule]) -> frozenset[str]:
    """The calendar codes the rows define ("US", "US-NY"...)."""
    return frozenset(rule.calendar for rule in rules)


def check_holiday_rules(rules: Iterable[HolidayRule]) -> None:
    """Raise CatalogueError on the first malformed row (a missing or stray field, a bad
    `years`, an impossible date)."""
    for rule in rules:
        _check(rule)


def display_name(rule: HolidayRule, observed: bool = False) -> str:
    """The name in explanations: "Lincoln's Birthday (NY)", "Lincoln's Birthday (NY, observed)",
    "New Year's Day (observed)"."""
    notes = [rule.calendar.split("-", 1)[1]] if "-" in rule.calendar else []
    if observed:
        notes.append("observed")
    return f"{rule.name} ({', '.join(notes)})" if notes else rule.name


# -------------------------------------------------------------------------- the cache


class _ByIdentity:
    """A rules tuple as a cache key by identity: hashing is O(1), and the cache entry
    holds the tuple, so its id cannot be reused by another object while cached."""

    __slots__ = ("rules",)

    def __init__(self, rules: tuple[HolidayRule, ...]) -> None:
        self.rules = rules

    def __hash__(self) -> int:
        return id(self.rules)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByIdentity) and other.rules is self.rules


class _YearTable(NamedTuple):
    days: frozenset[date]
    by_day: Mapping[date, tuple[Observance, ...]]


def _as_tuple(calendars: Iterable[str]) -> tuple[str, ...]:
    return calendars if isinstance(calendars, tuple) else tuple(calendars)


@functools.lru_cache(maxsize=4096)
def _year_table(key: _ByIdentity, calendars: tuple[str, ...], year: int) -> _YearTable:
    wanted = {code: rank for rank, code in reversed(list(enumerate(calendars)))}
    rows = sorted(
        ((wanted[rule.calendar], index, rule) for index, rule in enumerate(key.rules) if rule.calendar in wanted),
        key=lambda row: row[:2],
    )
    by_day: dict[date, list[Observance]] = {}
    for _, _, rule in rows:
        for rule_year in (year - 1, year, year + 1):
            for day, observed, name in _days(rule, rule_year):
                if day.year == year:
                    by_day.setdefault(day, []).append(Observance(name, rule, observed))
    table = {day: tuple(found) for day, found in sorted(by_day.items())}
    return _YearTable(frozenset(table), MappingProxyType(table))


# ----------------------------------------------------------------------- one row, one year


@functools.lru_cache(maxsize=8192)
def _days(rule: HolidayRule, year: int) -> tuple[tuple[date, bool, str], ...]:
    """The row's day of `year` and its shifted day, as (day, observed, display name);
    () when the row declares nothing that year."""
    _check(rule)
    if not _in_years(rule, year):
        return ()
    if rule.rule == "package":
        return tuple((day, False, f"{name} ({rule.calendar})") for day, name in _package_days(rule.calendar, year))
    found: list[tuple[date, bool, str]] = []
    for base in _base_days(rule, year):
        day = base + timedelta(days=rule.offset)
        found.append((day, False, display_name(rule)))
        shifted = _weekend_shift(day, rule.weekend)
        if shifted is not None:
            found.append((shifted, True, display_name(rule, observed=True)))
    return tuple(found)


@functools.lru_cache(maxsize=1024)
def _package_days(country: str, year: int) -> tuple[tuple[date, str], ...]:
    """The `holidays` package's calendar of `country` in `year` with its default options
    (the dates), named in English where the package has English names."""
    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        raise CatalogueError(f"holiday {country}: the holidays package has no calendar {country!r}") from None
    english = holidays.country_holidays(country, years=year, language="en_US")
    return tuple((day, english.get(day) or found[day]) for day in sorted(found))


def _in_years(rule: HolidayRule, year: int) -> bool:
    if rule.from_year is not None and year < rule.from_year:
        return False
    if rule.to_year is not None and year > rule.to_year:
        return False
    if rule.years == "all":
        return True
    if rule.years == "even":
        return year % 2 == 0
    if rule.years == "after-presidential":
        return year % 4 == 1
    return year in _year_list(rule.years)


def _base_days(rule: HolidayRule, year: int) -> list[date]:
    """The rule's day(s) in `year` before `offset`; fields were checked by `_check`."""
    kind = rule.rule
    if kind == "dates":
        return [day for day in _parsed_dates(rule.dates) if day.year == year]
    if kind == "easter":
        return [easter_sunday(year)]
    if kind == "election-day":
        return [nth_weekday(year, 11, 0, 1) + ONE_DAY]  # the Tuesday after the first Monday
    assert rule.month is not None  # noqa: S101 (checked)
    if kind == "fixed":
        assert rule.day is not None  # noqa: S101 (checked)
        try:
            return [date(year, rule.month, rule.day)]
        except ValueError:  # 29 February in a common year
            return []
    assert rule.weekday is not None  # noqa: S101 (checked)
    if kind == "last-weekday":
        return [last_weekday(year, rule.month, rule.weekday)]
    assert rule.nth is not None  # noqa: S101 (checked)
    day = nth_weekday(year, rule.month, rule.weekday, rule.nth)
    return [day] if day.month == rule.month else []  # no 5th such weekday that month


def _weekend_shift(day: date, weekend: str) -> date | None:
    """The extra (observed) day the weekend rule makes of `day`, if any."""
    if day.weekday() == SUNDAY and weekend in ("sun-mon", "sat-fri-sun-mon"):
        return day + ONE_DAY
    if day.weekday() == SATURDAY and weekend == "sat-fri-sun-mon":
        return day - ONE_DAY
    return None


# ------------------------------------------------------------------- calendar arithmetic


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth `weekday` (0 = Monday) of the month; may run into the next month when the
    month has no such day (a 5th Monday), which callers check."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def last_weekday(year: int, month: int, weekday: int) -> date:
    last = date(year, month, _calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday: the anonymous Gregorian computus (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


# ------------------------------------------------------------------------------ checks


@functools.lru_cache(maxsize=1024)
def _check(rule: HolidayRule) -> None:
    where = f"holiday {rule.calendar} {rule.name!r}"
    if not rule.calendar or not rule.name:
        raise CatalogueError(f"{where}: calendar and name are required")
    if rule.rule not in HOLIDAY_RULES:
        raise CatalogueError(f"{where}: rule {rule.rule!r} is not one of {', '.join(HOLIDAY_RULES)}")
    if rule.weekend not in WEEKEND_RULES:
        raise CatalogueError(f"{where}: weekend {rule.weekend!r} is not one of {', '.join(WEEKEND_RULES)}")
    needs = _NEEDS[rule.rule]
    for name in _DAY_FIELDS:
        value = getattr(rule, name)
        given = value not in (None, ())
        if name in needs and not given:
            raise CatalogueError(f"{where}: rule {rule.rule!r} needs {name!r}")
        if name not in needs and given:
            raise CatalogueError(f"{where}: rule {rule.rule!r} takes no {name!r}")
    if rule.month is not None and not 1 <= rule.month <= 12:
        raise CatalogueError(f"{where}: month {rule.month} is not 1-12")
    if rule.weekday is not None and not 0 <= rule.weekday <= 6:
        raise CatalogueError(f"{where}: weekday {rule.weekday} is not 0 (Monday) to 6 (Sunday)")
    if rule.nth is not None and not 1 <= rule.nth <= 5:
        raise CatalogueError(f"{where}: nth {rule.nth} is not 1-5")
    if rule.rule == "fixed":
        try:
            date(2000, rule.month or 0, rule.day or 0)  # a leap year: 29 February is possible
        except ValueError:
            raise CatalogueError(f"{where}: no such day {rule.month}-{rule.day}") from None
    if rule.dates:
        try:
            _parsed_dates(rule.dates)
        except ValueError:
            raise CatalogueError(f"{where}: dates must be ISO dates such as 2023-01-22") from None
    if abs(rule.offset) > MAX_OFFSET:
        raise CatalogueError(f"{where}: offset {rule.offset} is more than {MAX_OFFSET} days")
    if rule.from_year is not None and rule.to_year is not None and rule.from_year > rule.to_year:
        raise CatalogueError(f"{where}: from_year {rule.from_year} is after to_year {rule.to_year}")
    if rule.rule == "package" and (rule.offset or rule.weekend != "none"):
        raise CatalogueError(f"{where}: rule 'package' takes no offset and no weekend rule")
    if rule.years not in YEARS_KEYWORDS:
        try:
            _year_list(rule.years)
        except ValueError:
            raise CatalogueError(
                f"{where}: years {rule.years!r} is not one of {', '.join(YEARS_KEYWORDS)}"
                " or a comma-separated list of years"
            ) from None


@functools.lru_cache(maxsize=256)
def _year_list(years: str) -> frozenset[int]:
    parts = [part.strip() for part in years.split(",")]
    if not all(part.isdigit() for part in parts):
        raise ValueError(years)
    return frozenset(int(part) for part in parts)


@functools.lru_cache(maxsize=256)
def _parsed_dates(dates: tuple[str, ...]) -> tuple[date, ...]:
    return tuple(date.fromisoformat(text) for text in dates)
