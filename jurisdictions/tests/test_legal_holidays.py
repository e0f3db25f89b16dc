"""Legal holidays from catalogue/holidays.toml (shared/RULES.md §5.4, tables A, S, L, W).

Every expected date below is a literal worked out from a calendar, not recomputed by
the code under test.
"""

import tomllib
from dataclasses import replace
from datetime import date

import pytest

from jurisdictions.reach.files import DEFAULT_DIRECTORY, _row, load_catalogue_files
from jurisdictions.reach.legal_holidays import (
    check_holiday_rules,
    easter_sunday,
    holiday_calendars,
    holiday_names,
    legal_holidays,
    observances,
)
from jurisdictions.reach.types import CatalogueError, HolidayRule

HOLIDAYS_FILE = DEFAULT_DIRECTORY / "holidays.toml"


def _file_rules() -> tuple[HolidayRule, ...]:
    """The rows of holidays.toml alone, read as the catalogue loader reads them."""
    data = tomllib.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    assert set(data) == {"holiday"}
    return tuple(
        _row(HolidayRule, entry, f"holidays.toml: [[holiday]] #{number}")
        for number, entry in enumerate(data["holiday"], start=1)
    )


def _rules() -> tuple[HolidayRule, ...]:
    """The whole catalogue's holiday rows; just holidays.toml's while other files are mid-edit."""
    try:
        rules = load_catalogue_files().holiday_rules
    except CatalogueError:
        return _file_rules()
    return rules or _file_rules()


RULES = _rules()
STATES = ("NY", "CT", "VT", "NJ", "PA", "DE", "VA", "DC", "IL", "AL", "CA", "WA")


def d(text: str) -> date:
    return date.fromisoformat(text)


def federal(year: int) -> set[str]:
    return {day.isoformat() for day in legal_holidays(RULES, ("US",), year)}


# ------------------------------------------------------------------- the file itself


def test_file_rows_are_well_formed():
    rules = _file_rules()
    check_holiday_rules(rules)
    assert holiday_calendars(rules) == {"US", *(f"US-{state}" for state in STATES)}
    assert all(rule.citation for rule in rules)


def test_dagger_items_name_what_to_confirm():
    confirm = {(r.calendar, r.name) for r in _file_rules() if r.to_confirm}
    assert confirm == {
        ("US-CT", "Good Friday"),
        ("US-PA", "Good Friday"),
        ("US-PA", "Flag Day"),
        ("US-PA", "Election Day"),
        ("US-DC", "DC Emancipation Day"),
        ("US-CA", "César Chávez Day"),
        ("US-CA", "Genocide Remembrance Day"),
        ("US-CA", "Lunar New Year"),
        ("US-CA", "Diwali"),
    }


def test_catalogue_rows_include_the_file_rows():
    try:
        catalogue = load_catalogue_files()
    except CatalogueError as exc:
        pytest.skip(f"the full catalogue does not load right now: {exc}")
    assert set(_file_rules()) <= set(catalogue.holiday_rules)
    check_holiday_rules(catalogue.holiday_rules)  # every file's rows, "package" ones too


# ------------------------------------------------------------------------ (A) federal

FEDERAL = {
    2019: {
        "2019-01-01", "2019-01-21", "2019-02-18", "2019-05-27", "2019-07-04", "2019-09-02",
        "2019-10-14", "2019-11-11", "2019-11-28", "2019-12-25",
    },
    2020: {  # Juneteenth not yet; 4 July a Saturday: Friday 3 July
        "2020-01-01", "2020-01-20", "2020-02-17", "2020-05-25", "2020-07-03", "2020-07-04",
        "2020-09-07", "2020-10-12", "2020-11-11", "2020-11-26", "2020-12-25",
    },
    2021: {  # 19 June, 25 December Saturdays; 4 July a Sunday; 31 Dec for 1 Jan 2022
        "2021-01-01", "2021-01-18", "2021-02-15", "2021-05-31", "2021-06-18", "2021-06-19",
        "2021-07-04", "2021-07-05", "2021-09-06", "2021-10-11", "2021-11-11", "2021-11-25",
        "2021-12-24", "2021-12-25", "2021-12-31",
    },
    2022: {  # 1 January a Saturday (observed 2021-12-31); 19 June, 25 Dec Sundays
        "2022-01-01", "2022-01-17", "2022-02-21", "2022-05-30", "2022-06-19", "2022-06-20",
        "2022-07-04", "2022-09-05", "2022-10-10", "2022-11-11", "2022-11-24", "2022-12-25",
        "2022-12-26",
    },
    2023: {  # 1 January a Sunday; 11 November a Saturday
        "2023-01-01", "2023-01-02", "2023-01-16", "2023-02-20", "2023-05-29", "2023-06-19",
        "2023-07-04", "2023-09-04", "2023-10-09", "2023-11-10", "2023-11-11", "2023-11-23",
        "2023-12-25",
    },
    2027: {  # 25 December a Saturday; 1 January 2028 a Saturday: 31 December 2027
        "2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-06-19",
        "2027-07-04", "2027-07-05", "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25",
        "2027-12-24", "2027-12-25", "2027-12-31",
    },
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(FEDERAL))
def test_federal_days_of_a_year(year):
    assert federal(year) == FEDERAL[year]


def test_new_year_on_saturday_is_observed_the_previous_31_december():
    assert "2021-12-31" in federal(2021)
    assert "2021-12-31" not in federal(2022)  # it belongs to the calendar year it falls in
    assert "2022-12-31" not in federal(2022)  # 1 January 2023 is a Sunday
    assert holiday_names(RULES, ("US",), d("2021-12-31")) == ["New Year's Day (observed)"]
    assert holiday_names(RULES, ("US",), d("2022-01-01")) == ["New Year's Day"]
    assert holiday_names(RULES, ("US",), d("2023-01-02")) == ["New Year's Day (observed)"]


def test_juneteenth_from_2021():
    assert not {"2020-06-19"} & federal(2020)
    assert {"2021-06-18", "2021-06-19"} <= federal(2021)
    assert holiday_names(RULES, ("US",), d("2022-06-20")) == ["Juneteenth National Independence Day (observed)"]


# --------------------------------------------------------------------- (S) the states

# calendar, day, is a holiday of that calendar, name on that day (None: any / none)
STATE_DAYS = [
    # New York: Lincoln's Birthday, Sun->Mon only; Election Day every year
    ("US-NY", "2024-02-12", True, "Lincoln's Birthday (NY)"),
    ("US-NY", "2022-02-12", True, "Lincoln's Birthday (NY)"),  # a Saturday
    ("US-NY", "2022-02-11", False, None),  # ... and no Friday
    ("US-NY", "2023-02-12", True, "Lincoln's Birthday (NY)"),  # a Sunday
    ("US-NY", "2023-02-13", True, "Lincoln's Birthday (NY, observed)"),
    ("US-NY", "2024-02-13", False, None),
    ("US-NY", "2021-11-02", True, "Election Day (NY)"),
    ("US-NY", "2022-11-08", True, "Election Day (NY)"),  # 1 Nov a Tuesday: not the 1st
    ("US-NY", "2022-11-01", False, None),
    ("US-NY", "2023-11-07", True, "Election Day (NY)"),
    # Connecticut: Lincoln Day Sat->Fri, Sun->Mon; Good Friday†
    ("US-CT", "2021-02-12", True, "Lincoln Day (CT)"),
    ("US-CT", "2022-02-11", True, "Lincoln Day (CT, observed)"),
    ("US-CT", "2023-02-13", True, "Lincoln Day (CT, observed)"),
    ("US-CT", "2021-02-15", False, None),  # Washington's Birthday: federal, not CT's
    ("US-CT", "2023-04-07", True, "Good Friday (CT)"),
    ("US-CT", "2024-03-29", True, "Good Friday (CT)"),
    ("US-CT", "2025-04-18", True, "Good Friday (CT)"),
    ("US-CT", "2023-11-07", False, None),  # no Election Day
    # Vermont: Town Meeting Day 1st Tuesday of March; Bennington Battle Day Sat->Fri, Sun->Mon
    ("US-VT", "2023-03-07", True, "Town Meeting Day (VT)"),
    ("US-VT", "2024-03-05", True, "Town Meeting Day (VT)"),
    ("US-VT", "2026-03-03", True, "Town Meeting Day (VT)"),
    ("US-VT", "2023-08-16", True, "Bennington Battle Day (VT)"),
    ("US-VT", "2025-08-15", True, "Bennington Battle Day (VT, observed)"),
    ("US-VT", "2026-08-17", True, "Bennington Battle Day (VT, observed)"),
    ("US-VT", "2023-02-13", False, None),  # no Lincoln's Birthday (RULES.md: not included)
    ("US-VT", "2024-02-12", False, None),
    # New Jersey: Lincoln Sat->Fri, Sun->Mon; Good Friday; Juneteenth Day 3rd Fri June from 2021
    ("US-NJ", "2021-02-12", True, "Lincoln's Birthday (NJ)"),
    ("US-NJ", "2022-02-11", True, "Lincoln's Birthday (NJ, observed)"),
    ("US-NJ", "2023-02-13", True, "Lincoln's Birthday (NJ, observed)"),
    ("US-NJ", "2022-04-15", True, "Good Friday (NJ)"),
    ("US-NJ", "2020-06-19", False, None),  # 3rd Friday of June 2020: before 2021
    ("US-NJ", "2021-06-18", True, "Juneteenth Day (NJ)"),
    ("US-NJ", "2022-06-17", True, "Juneteenth Day (NJ)"),
    ("US-NJ", "2023-06-16", True, "Juneteenth Day (NJ)"),
    ("US-NJ", "2022-11-08", True, "Election Day (NJ)"),
    ("US-NJ", "2025-11-04", True, "Election Day (NJ)"),
    # Pennsylvania: Good Friday; Flag Day Sun->Mon only†; Election Day every year
    ("US-PA", "2024-03-29", True, "Good Friday (PA)"),
    ("US-PA", "2023-06-14", True, "Flag Day (PA)"),
    ("US-PA", "2025-06-14", True, "Flag Day (PA)"),  # a Saturday
    ("US-PA", "2025-06-13", False, None),  # ... and no Friday
    ("US-PA", "2026-06-15", True, "Flag Day (PA, observed)"),
    ("US-PA", "2025-11-04", True, "Election Day (PA)"),
    ("US-PA", "2023-11-24", False, None),  # no day after Thanksgiving
    # Delaware: Good Friday; day after Thanksgiving; Election Day in even years
    ("US-DE", "2021-04-02", True, "Good Friday (DE)"),
    ("US-DE", "2022-11-25", True, "Day after Thanksgiving (DE)"),
    ("US-DE", "2023-11-24", True, "Day after Thanksgiving (DE)"),
    ("US-DE", "2022-11-08", True, "Election Day (DE)"),
    ("US-DE", "2023-11-07", False, None),
    ("US-DE", "2024-11-05", True, "Election Day (DE)"),
    ("US-DE", "2025-11-04", False, None),
    # Virginia: Lee-Jackson Day up to 2020; Election Day from 2020; day after Thanksgiving
    ("US-VA", "2019-01-18", True, "Lee-Jackson Day (VA)"),
    ("US-VA", "2020-01-17", True, "Lee-Jackson Day (VA)"),
    ("US-VA", "2021-01-15", False, None),
    ("US-VA", "2019-11-05", False, None),
    ("US-VA", "2020-11-03", True, "Election Day (VA)"),
    ("US-VA", "2023-11-07", True, "Election Day (VA)"),
    ("US-VA", "2019-11-29", True, "Day after Thanksgiving (VA)"),
    ("US-VA", "2023-11-24", True, "Day after Thanksgiving (VA)"),
    # District of Columbia: Emancipation Day from 2005† Sat->Fri, Sun->Mon;
    # Inauguration Day 20 Jan when year mod 4 = 1, Sun->Mon only
    ("US-DC", "2004-04-16", False, None),
    ("US-DC", "2005-04-16", True, "DC Emancipation Day (DC)"),  # a Saturday
    ("US-DC", "2005-04-15", True, "DC Emancipation Day (DC, observed)"),
    ("US-DC", "2022-04-15", True, "DC Emancipation Day (DC, observed)"),
    ("US-DC", "2023-04-17", True, "DC Emancipation Day (DC, observed)"),
    ("US-DC", "2024-04-16", True, "DC Emancipation Day (DC)"),
    ("US-DC", "2024-04-15", False, None),
    ("US-DC", "2013-01-21", True, "Inauguration Day (DC, observed)"),  # 20 Jan 2013 a Sunday
    ("US-DC", "2017-01-20", True, "Inauguration Day (DC)"),
    ("US-DC", "2021-01-20", True, "Inauguration Day (DC)"),
    ("US-DC", "2022-01-20", False, None),
    ("US-DC", "2024-01-19", False, None),
    ("US-DC", "2025-01-20", True, "Inauguration Day (DC)"),
    ("US-DC", "2029-01-20", True, "Inauguration Day (DC)"),  # a Saturday
    ("US-DC", "2029-01-19", False, None),  # ... and no Friday
    ("US-DC", "2029-01-22", False, None),
    ("US-DC", "2033-01-20", True, "Inauguration Day (DC)"),
    # Illinois: Lincoln Sun->Mon only; Casimir Pulaski Day; Election Day 2020, 2022, 2024
    ("US-IL", "2024-02-12", True, "Lincoln's Birthday (IL)"),
    ("US-IL", "2022-02-11", False, None),
    ("US-IL", "2023-02-13", True, "Lincoln's Birthday (IL, observed)"),
    ("US-IL", "2023-03-06", True, "Casimir Pulaski Day (IL)"),
    ("US-IL", "2018-11-06", False, None),
    ("US-IL", "2020-11-03", True, "Election Day (IL)"),
    ("US-IL", "2021-11-02", False, None),
    ("US-IL", "2022-11-08", True, "Election Day (IL)"),
    ("US-IL", "2024-11-05", True, "Election Day (IL)"),
    ("US-IL", "2026-11-03", False, None),
    # Alabama: Confederate Memorial Day 4th Mon April; Jefferson Davis's Birthday 1st Mon June
    ("US-AL", "2023-04-24", True, "Confederate Memorial Day (AL)"),
    ("US-AL", "2024-04-22", True, "Confederate Memorial Day (AL)"),
    ("US-AL", "2026-04-27", True, "Confederate Memorial Day (AL)"),
    ("US-AL", "2023-06-05", True, "Jefferson Davis's Birthday (AL)"),
    ("US-AL", "2024-06-03", True, "Jefferson Davis's Birthday (AL)"),
    # California
    ("US-CA", "2024-02-12", True, "Lincoln Day (CA)"),
    ("US-CA", "2022-02-11", False, None),  # §6701: no Saturday rule for 12 Feb
    ("US-CA", "2023-02-13", True, "Lincoln Day (CA, observed)"),
    ("US-CA", "2000-03-31", False, None),  # César Chávez Day from 2001†
    ("US-CA", "2001-03-31", True, "César Chávez Day (CA)"),  # a Saturday
    ("US-CA", "2001-03-30", False, None),
    ("US-CA", "2023-03-31", True, "César Chávez Day (CA)"),
    ("US-CA", "2024-04-01", True, "César Chávez Day (CA, observed)"),
    ("US-CA", "2022-04-24", False, None),  # Genocide Remembrance Day from 2023
    ("US-CA", "2022-04-25", False, None),
    ("US-CA", "2023-04-24", True, "Genocide Remembrance Day (CA)"),
    ("US-CA", "2027-04-24", True, "Genocide Remembrance Day (CA)"),  # a Saturday
    ("US-CA", "2027-04-23", False, None),  # ... no shift
    ("US-CA", "2023-09-08", False, None),  # 9 Sep 2023 a Saturday: no Friday
    ("US-CA", "2023-09-09", True, "Admission Day (CA)"),
    ("US-CA", "2018-09-10", True, "Admission Day (CA, observed)"),
    ("US-CA", "2024-09-09", True, "Admission Day (CA)"),
    ("US-CA", "2014-09-26", False, None),  # Native American Day from 2015
    ("US-CA", "2015-09-25", True, "Native American Day (CA)"),
    ("US-CA", "2023-09-22", True, "Native American Day (CA)"),
    ("US-CA", "2026-09-25", True, "Native American Day (CA)"),
    ("US-CA", "2022-02-01", False, None),  # Lunar New Year from 2023
    ("US-CA", "2023-01-22", True, "Lunar New Year (CA)"),  # a Sunday
    ("US-CA", "2023-01-23", False, None),  # ... no shift
    ("US-CA", "2024-02-10", True, "Lunar New Year (CA)"),
    ("US-CA", "2026-02-17", True, "Lunar New Year (CA)"),
    ("US-CA", "2033-01-31", True, "Lunar New Year (CA)"),
    ("US-CA", "2040-02-12", True, "Lunar New Year (CA)"),
    ("US-CA", "2025-10-20", False, None),  # Diwali from 2026
    ("US-CA", "2026-11-08", True, "Diwali (CA)"),  # a Sunday
    ("US-CA", "2026-11-09", False, None),  # ... no shift
    ("US-CA", "2027-10-29", True, "Diwali (CA)"),
    ("US-CA", "2035-10-30", True, "Diwali (CA)"),
    ("US-CA", "2023-11-24", False, None),  # no day after Thanksgiving
    ("US-CA", "2023-11-07", False, None),  # no Election Day
    ("US-CA", "2023-04-07", False, None),  # Good Friday noon-3 p.m. is not a full day
    # Washington: the day after Thanksgiving, every year
    ("US-WA", "2013-11-29", True, "Day after Thanksgiving (WA)"),
    ("US-WA", "2014-11-28", True, "Native American Heritage Day (WA)"),
    ("US-WA", "2023-11-24", True, "Native American Heritage Day (WA)"),
    ("US-WA", "2023-04-07", False, None),
]


@pytest.mark.parametrize(
    ("calendar", "day", "holiday", "name"),
    [pytest.param(*case, id=f"{case[0]}-{case[1]}-{'yes' if case[2] else 'no'}") for case in STATE_DAYS],
)
def test_state_day(calendar, day, holiday, name):
    day = d(day)
    assert (day in legal_holidays(RULES, (calendar,), day.year)) is holiday
    names = holiday_names(RULES, (calendar,), day)
    if holiday:
        assert name in names
    else:
        assert names == []
        # ... and with the federal days it is a holiday only when federal
        together = legal_holidays(RULES, ("US", calendar), day.year)
        assert (day in together) is (day in legal_holidays(RULES, ("US",), day.year))


def test_every_state_row_is_exercised():
    """Each state row's name appears among the expected holidays above."""
    covered = {(calendar, name) for calendar, _, holiday, name in STATE_DAYS if holiday}
    for rule in _file_rules():
        if rule.calendar != "US":
            state = rule.calendar.removeprefix("US-")
            assert (rule.calendar, f"{rule.name} ({state})") in covered, rule


@pytest.mark.parametrize(
    ("calendar", "year", "days"),
    [
        ("US-NY", 2022, {"2022-02-12", "2022-11-08"}),
        ("US-NY", 2023, {"2023-02-12", "2023-02-13", "2023-11-07"}),
        ("US-CT", 2022, {"2022-02-11", "2022-02-12", "2022-04-15"}),
        ("US-VT", 2025, {"2025-03-04", "2025-08-15", "2025-08-16"}),
        ("US-NJ", 2020, {"2020-02-12", "2020-04-10", "2020-11-03"}),
        ("US-PA", 2026, {"2026-04-03", "2026-06-14", "2026-06-15", "2026-11-03"}),
        ("US-DE", 2025, {"2025-04-18", "2025-11-28"}),
        ("US-VA", 2020, {"2020-01-17", "2020-11-03", "2020-11-27"}),
        ("US-VA", 2021, {"2021-11-02", "2021-11-26"}),
        ("US-DC", 2029, {"2029-01-20", "2029-04-16"}),
        ("US-DC", 2030, {"2030-04-16"}),
        ("US-IL", 2026, {"2026-02-12", "2026-03-02"}),
        ("US-AL", 2025, {"2025-04-28", "2025-06-02"}),
        (
            "US-CA",
            2026,
            {"2026-02-12", "2026-02-17", "2026-03-31", "2026-04-24", "2026-09-09", "2026-09-25", "2026-11-08"},
        ),
        ("US-CA", 2022, {"2022-02-12", "2022-03-31", "2022-09-09", "2022-09-23"}),
        ("US-WA", 2024, {"2024-11-29"}),
    ],
)
def test_whole_state_year(calendar, year, days):
    assert {day.isoformat() for day in legal_holidays(RULES, (calendar,), year)} == days


def test_lunar_new_year_and_diwali_only_in_the_table_years():
    def named(year: int, name: str) -> list[date]:
        return [day for day in legal_holidays(RULES, ("US-CA",), year) if name in holiday_names(RULES, ("US-CA",), day)]

    lunar = [
        "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06", "2028-01-26",
        "2029-02-13", "2030-02-03", "2031-01-23", "2032-02-11", "2033-01-31", "2034-02-19",
        "2035-02-08", "2036-01-28", "2037-02-15", "2038-02-04", "2039-01-24", "2040-02-12",
    ]  # fmt: skip
    diwali = [
        "2026-11-08", "2027-10-29", "2028-10-17", "2029-11-05", "2030-10-26",
        "2031-11-14", "2032-11-02", "2033-10-22", "2034-11-10", "2035-10-30",
    ]  # fmt: skip
    for table, name in ((lunar, "Lunar New Year (CA)"), (diwali, "Diwali (CA)")):
        for year in range(2013, 2045):
            expected = [d(day) for day in table if day.startswith(f"{year}-")]
            assert named(year, name) == expected, (name, year)


def test_election_day_on_the_federal_union():
    """Election Day with the federal days: NY counts it, CT does not."""
    assert d("2024-11-05") in legal_holidays(RULES, ("US", "US-NY"), 2024)
    assert d("2024-11-05") not in legal_holidays(RULES, ("US", "US-CT"), 2024)


def test_inauguration_day_on_mlk_day_gives_both_names():
    assert holiday_names(RULES, ("US", "US-DC"), d("2025-01-20")) == [
        "Martin Luther King Jr.'s Birthday",
        "Inauguration Day (DC)",
    ]
    assert holiday_names(RULES, ("US-DC", "US"), d("2025-01-20")) == [
        "Inauguration Day (DC)",
        "Martin Luther King Jr.'s Birthday",
    ]


def test_names_keep_calendar_order_and_are_empty_on_a_working_day():
    assert holiday_names(RULES, ("US", "US-NY", "US-CA"), d("2023-02-13")) == [
        "Lincoln's Birthday (NY, observed)",
        "Lincoln Day (CA, observed)",
    ]
    assert holiday_names(RULES, ("US", "US-NY"), d("2023-02-14")) == []


def test_observances_carry_the_row():
    (found,) = observances(RULES, ("US", "US-CT"), d("2023-04-07"))
    assert found.name == "Good Friday (CT)"
    assert not found.observed
    assert found.rule.citation.startswith("Conn. Gen. Stat. §1-4")
    assert "Governor" in found.rule.to_confirm
    (il_2022,) = observances(RULES, ("US-IL",), d("2022-11-08"))
    assert il_2022.rule.citation == "10 ILCS 5/2A-1.1c"


def test_union_of_calendars():
    year = 2024
    union = legal_holidays(RULES, ("US", "US-NY", "US-CA"), year)
    parts = [legal_holidays(RULES, (code,), year) for code in ("US", "US-NY", "US-CA")]
    assert union == parts[0] | parts[1] | parts[2]
    assert legal_holidays(RULES, ("US", "US-NY"), year) == legal_holidays(RULES, ("US-NY", "US"), year)


def test_unknown_or_no_calendar_has_no_holidays():
    assert legal_holidays(RULES, (), 2024) == frozenset()
    assert legal_holidays(RULES, ("US-TX",), 2024) == frozenset()
    assert legal_holidays(RULES, ("US", "US-TX"), 2024) == legal_holidays(RULES, ("US",), 2024)


def test_cached():
    first = legal_holidays(RULES, ("US", "US-NY"), 2031)
    assert legal_holidays(RULES, ("US", "US-NY"), 2031) is first
    # an equal but distinct tuple of rows gives the same days
    assert legal_holidays(tuple(RULES), ("US", "US-NY"), 2031) == first
    assert legal_holidays(tuple(list(RULES)), ("US", "US-NY"), 2031) == first


def test_other_rows_are_seen():
    extra = HolidayRule(calendar="US-NY", name="Test Day", rule="fixed", citation="test", month=3, day=3)
    rules = (*RULES, extra)
    assert d("2031-03-03") in legal_holidays(rules, ("US-NY",), 2031)
    assert d("2031-03-03") not in legal_holidays(RULES, ("US-NY",), 2031)


# -------------------------------------------------------------- arithmetic and checks

EASTER = [
    (1818, "1818-03-22"),
    (1943, "1943-04-25"),
    (2000, "2000-04-23"),
    (2008, "2008-03-23"),
    (2019, "2019-04-21"),
    (2020, "2020-04-12"),
    (2021, "2021-04-04"),
    (2022, "2022-04-17"),
    (2023, "2023-04-09"),
    (2024, "2024-03-31"),
    (2025, "2025-04-20"),
    (2026, "2026-04-05"),
    (2027, "2027-03-28"),
    (2038, "2038-04-25"),
    (2285, "2285-03-22"),
]


@pytest.mark.parametrize(("year", "sunday"), EASTER)
def test_easter(year, sunday):
    assert easter_sunday(year) == d(sunday)


def test_easter_agrees_with_dateutil():
    easter = pytest.importorskip("dateutil.easter")
    for year in range(1583, 3000):
        assert easter_sunday(year) == easter.easter(year), year


BASE = HolidayRule(calendar="US-XX", name="Test Day", rule="fixed", citation="test", month=3, day=3)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rule": "lunar"}, "rule 'lunar'"),
        ({"weekend": "sat-fri"}, "weekend 'sat-fri'"),
        ({"day": None}, "needs 'day'"),
        ({"nth": 2}, "takes no 'nth'"),
        ({"month": 13}, "month 13"),
        ({"month": 2, "day": 30}, "no such day"),
        ({"rule": "nth-weekday", "day": None, "weekday": 0}, "needs 'nth'"),
        ({"rule": "nth-weekday", "day": None, "weekday": 7, "nth": 1}, "weekday 7"),
        ({"rule": "nth-weekday", "day": None, "weekday": 0, "nth": 6}, "nth 6"),
        ({"rule": "easter", "month": None, "day": None, "dates": ("2024-01-01",)}, "takes no 'dates'"),
        ({"rule": "dates", "month": None, "day": None}, "needs 'dates'"),
        ({"rule": "dates", "month": None, "day": None, "dates": ("2024-02-30",)}, "ISO dates"),
        ({"years": "odd"}, "years 'odd'"),
        ({"years": "2020, 20x2"}, "years"),
        ({"from_year": 2021, "to_year": 2020}, "from_year 2021"),
        ({"offset": 400}, "offset 400"),
    ],
)
def test_malformed_rows_are_refused(changes, message):
    bad = replace(BASE, **changes)
    with pytest.raises(CatalogueError, match=message):
        check_holiday_rules([bad])
    with pytest.raises(CatalogueError, match=message):
        legal_holidays((bad,), ("US-XX",), 2024)


def test_29_february_only_in_leap_years():
    leap = replace(BASE, month=2, day=29)
    assert legal_holidays((leap,), ("US-XX",), 2024) == {d("2024-02-29")}
    assert legal_holidays((leap,), ("US-XX",), 2023) == frozenset()


def test_a_fifth_weekday_only_when_the_month_has_one():
    fifth_monday = replace(BASE, rule="nth-weekday", day=None, month=3, weekday=0, nth=5)
    assert legal_holidays((fifth_monday,), ("US-XX",), 2026) == {d("2026-03-30")}
    assert legal_holidays((fifth_monday,), ("US-XX",), 2028) == frozenset()  # 4 Mondays


def test_year_list_and_bounds():
    listed = replace(BASE, years="2020, 2024")
    assert [y for y in range(2018, 2027) if legal_holidays((listed,), ("US-XX",), y)] == [2020, 2024]
    bounded = replace(BASE, from_year=2021, to_year=2022)
    assert [y for y in range(2018, 2027) if legal_holidays((bounded,), ("US-XX",), y)] == [2021, 2022]


# ------------------------------------------------- rule "package" (holidays_eu.toml)

IE = HolidayRule(
    calendar="IE", name="Public holidays of IE", rule="package", citation="test", from_year=2026, to_year=2035
)


def test_package_row_is_the_package_calendar_in_its_years():
    days = legal_holidays((IE,), ("IE",), 2026)
    assert d("2026-12-26") in days  # a Saturday: St Stephen's Day
    assert d("2026-12-28") not in days  # no substitute day (RULES.md §5.4)
    assert d("2026-03-17") in days
    assert len(days) == 10
    assert legal_holidays((IE,), ("IE",), 2025) == frozenset()
    assert legal_holidays((IE,), ("IE",), 2036) == frozenset()
    assert holiday_names((IE,), ("IE",), d("2026-12-26")) == ["Saint Stephen's Day (IE)"]


def test_package_row_refuses_a_shift_and_an_unknown_country():
    with pytest.raises(CatalogueError, match="no offset and no weekend"):
        check_holiday_rules([replace(IE, weekend="sun-mon")])
    with pytest.raises(CatalogueError, match="no calendar 'XX'"):
        legal_holidays((replace(IE, calendar="XX"),), ("XX",), 2026)
