"""Deadline counting (shared/RULES.md §2 step 5 and §5)."""

from datetime import UTC, date, datetime

import pytest

from jurisdictions.reach import facts_from_scenario
from jurisdictions.reach.engine import evaluate
from jurisdictions.reach.periods import count, holidays_for, public_holidays
from jurisdictions.tests.test_engine import (
    CATALOGUE,
    DEU,
    GROUP,
    INC,
    IRL,
    run,
    scenario,
    with_entity,
)


def response_due(obj: dict) -> str | None:
    return run(obj)["deadlines"]["response_due"]


def working(obj: dict, which: str = "response_due") -> dict:
    return run(obj)["deadline_working"][which]


# ------------------------------------------------- GB-COPO: 7 days, day 1 = service

COPO = [
    # label, served_at, as_of, due
    ("public scenario", "2023-06-01T09:00:00Z", "2023-06-01", "2023-06-07T23:00:00Z"),
    ("no served_at: 00:00 London on the as-of date", None, "2023-06-01", "2023-06-07T23:00:00Z"),
    ("late UTC evening is the next London day", "2023-06-01T23:30:00Z", "2023-06-01", "2023-06-08T23:00:00Z"),
    ("time without offset is UTC", "2023-06-01T23:30:00", "2023-06-01", "2023-06-08T23:00:00Z"),
    ("offset converted", "2023-06-02T00:30:00+02:00", "2023-06-01", "2023-06-07T23:00:00Z"),
    ("into BST: served in GMT, due in BST", "2023-03-24T12:00:00Z", "2023-03-24", "2023-03-30T23:00:00Z"),
    ("out of BST: served in BST, due in GMT", "2023-10-25T12:00:00Z", "2023-10-25", "2023-11-01T00:00:00Z"),
    ("winter", "2024-01-10T10:00:00Z", "2024-01-10", "2024-01-17T00:00:00Z"),
    ("no roll-over: last day a Saturday", "2023-06-04T10:00:00Z", "2023-06-04", "2023-06-10T23:00:00Z"),
    ("no roll-over: last day a bank holiday", "2023-08-22T10:00:00Z", "2023-08-22", "2023-08-28T23:00:00Z"),
]


@pytest.mark.parametrize(("served_at", "as_of", "due"), [pytest.param(*row[1:], id=row[0]) for row in COPO])
def test_gb_copo_response(served_at, as_of, due):
    assert response_due(scenario(as_of, "GB-COPO", "GB", served_at=served_at)) == due


def test_gb_copo_working():
    w = working(scenario("2023-03-24", "GB-COPO", "GB", served_at="2023-03-24T12:00:00Z"))
    assert w["time_zone"] == "Europe/London"
    assert w["counting"] == "day-of-service-is-day-1"
    assert (w["length"], w["unit"]) == (7, "days")
    assert w["last_day"] == "2023-03-30"
    assert w["rolled_over"] == []
    assert w["start"] == "2023-03-24T12:00:00+00:00"
    assert "Overseas Production Orders" in w["citation"]


def test_gb_copo_emergency_has_no_emergency_period():
    obj = scenario("2023-06-01", "GB-COPO", "GB", served_at="2023-06-01T09:00:00Z", emergency=True)
    assert response_due(obj) == "2023-06-07T23:00:00Z"


# ------------------------------------ EU-EPO: 10 days following receipt, roll-over

NO_DESIGNATION_DE = [
    *GROUP[:6],
    {"name": DEU, "country": "DE", "parent": INC},
]

EPO = [
    # label, issuer, served, entities, served_at, due, last_day, rolled
    ("public scenario (IE)", "DE", IRL, GROUP, "2026-09-01T08:00:00Z", "2026-09-11T23:00:00Z", "2026-09-11", []),
    (
        "receipt late in the Irish evening counts from the Irish day",
        "DE",
        IRL,
        GROUP,
        "2026-09-01T23:30:00Z",
        "2026-09-14T23:00:00Z",
        "2026-09-14",
        ["2026-09-12", "2026-09-13"],
    ),
    (
        "last day a Sunday (IE)",
        "DE",
        IRL,
        GROUP,
        "2026-09-03T10:00:00Z",
        "2026-09-14T23:00:00Z",
        "2026-09-14",
        ["2026-09-13"],
    ),
    (
        "last day a Saturday (IE)",
        "DE",
        IRL,
        GROUP,
        "2026-09-02T10:00:00Z",
        "2026-09-14T23:00:00Z",
        "2026-09-14",
        ["2026-09-12", "2026-09-13"],
    ),
    (
        "weekend then Irish October bank holiday, across the end of IST",
        "DE",
        IRL,
        GROUP,
        "2026-10-14T10:00:00Z",
        "2026-10-28T00:00:00Z",
        "2026-10-27",
        ["2026-10-24", "2026-10-25", "2026-10-26"],
    ),
    (
        "Irish St Patrick's Day",
        "DE",
        IRL,
        GROUP,
        "2027-03-07T10:00:00Z",
        "2027-03-19T00:00:00Z",
        "2027-03-18",
        ["2027-03-17"],
    ),
    (
        "Whit Monday is not an Irish holiday",
        "DE",
        IRL,
        GROUP,
        "2027-05-07T10:00:00Z",
        "2027-05-17T23:00:00Z",
        "2027-05-17",
        [],
    ),
    (
        "Whit Monday is a German holiday",
        "FR",
        DEU,
        NO_DESIGNATION_DE,
        "2027-05-07T10:00:00Z",
        "2027-05-18T22:00:00Z",
        "2027-05-18",
        ["2027-05-17"],
    ),
    (
        "German Christmas and weekend",
        "FR",
        DEU,
        NO_DESIGNATION_DE,
        "2026-12-15T10:00:00Z",
        "2026-12-28T23:00:00Z",
        "2026-12-28",
        ["2026-12-25", "2026-12-26", "2026-12-27"],
    ),
    (
        "German Unity Day on a Saturday",
        "FR",
        DEU,
        NO_DESIGNATION_DE,
        "2026-09-23T10:00:00Z",
        "2026-10-05T22:00:00Z",
        "2026-10-05",
        ["2026-10-03", "2026-10-04"],
    ),
    (
        "German Easter Monday",
        "FR",
        DEU,
        NO_DESIGNATION_DE,
        "2027-03-19T10:00:00Z",
        "2027-03-30T22:00:00Z",
        "2027-03-30",
        ["2027-03-29"],
    ),
]


@pytest.mark.parametrize(
    ("issuer", "served", "entities", "served_at", "due", "last_day", "rolled"),
    [pytest.param(*row[1:], id=row[0]) for row in EPO],
)
def test_eu_epo_response(issuer, served, entities, served_at, due, last_day, rolled):
    as_of = served_at[:10]
    obj = scenario(
        as_of, "EU-EPO", issuer, served, entities=entities, served_at=served_at, holdings=[("subscriber", "US", served)]
    )
    w = working(obj)
    assert (w["due"], w["last_day"], w["rolled_over"]) == (due, last_day, rolled)
    assert w["counting"] == "after-day-of-service"
    assert w["holidays_country"] == ("DE" if served == DEU else "IE")
    assert w["time_zone"] == ("Europe/Berlin" if served == DEU else "Europe/Dublin")


def test_eu_epo_counts_in_the_enforcing_establishment_state():
    # A US company whose first qualifying establishment is in Luxembourg.
    entities = with_entity(INC, establishments=["LU"])
    obj = scenario(
        "2026-09-01",
        "EU-EPO",
        "DE",
        INC,
        entities=entities,
        served_at="2026-09-01T08:00:00Z",
        holdings=[("subscriber", "US", INC)],
    )
    w = working(obj)
    assert w["time_zone"] == "Europe/Luxembourg"
    assert w["due"] == "2026-09-11T22:00:00Z"


def test_eu_epo_without_served_at_starts_at_local_midnight():
    obj = scenario("2026-09-01", "EU-EPO", "DE", IRL, holdings=[("subscriber", "US", IRL)])
    w = working(obj)
    assert w["start"] == "2026-09-01T00:00:00+01:00"
    assert w["start_assumed"] is True
    assert w["due"] == "2026-09-11T23:00:00Z"


# -------------------------------------------- EU-EPO emergency: 8 hours, next full hour

EMERGENCY = [
    # label, served_at, as_of, due
    (
        "exactly on the hour: the count starts at the next hour",
        "2026-09-01T08:00:00Z",
        "2026-09-01",
        "2026-09-01T17:00:00Z",
    ),
    ("one second past the hour", "2026-09-01T08:00:01Z", "2026-09-01", "2026-09-01T17:00:00Z"),
    ("one second before the hour", "2026-09-01T07:59:59Z", "2026-09-01", "2026-09-01T16:00:00Z"),
    ("mid-hour", "2026-09-01T08:30:00Z", "2026-09-01", "2026-09-01T17:00:00Z"),
    ("elapsed hours across the end of Irish summer time", "2026-10-24T22:30:00Z", "2026-10-24", "2026-10-25T07:00:00Z"),
    ("no served_at: 00:00 Dublin on the as-of date", None, "2026-09-01", "2026-09-01T08:00:00Z"),
    ("weekend makes no difference", "2026-09-05T10:15:00Z", "2026-09-05", "2026-09-05T19:00:00Z"),
]


@pytest.mark.parametrize(("served_at", "as_of", "due"), [pytest.param(*row[1:], id=row[0]) for row in EMERGENCY])
def test_eu_epo_emergency(served_at, as_of, due):
    obj = scenario(
        as_of, "EU-EPO", "DE", IRL, served_at=served_at, emergency=True, holdings=[("subscriber", "US", IRL)]
    )
    w = working(obj)
    assert w["due"] == due
    assert (w["length"], w["unit"], w["counting"]) == (8, "hours", "after-hour-of-receipt")


def test_epo_emergency_false_uses_ten_days():
    obj = scenario(
        "2026-09-01",
        "EU-EPO",
        "DE",
        IRL,
        served_at="2026-09-01T08:00:00Z",
        emergency=False,
        holdings=[("subscriber", "US", IRL)],
    )
    assert response_due(obj) == "2026-09-11T23:00:00Z"


# ------------------------------------------- comity motion: 14 days, Rule 45(a)

COMITY = [
    # label, court, as_of, served_at, due, rolled
    ("public scenario (N.D. Cal.)", "N.D. Cal.", "2023-03-01", None, "2023-03-16T07:00:00Z", []),
    (
        "day of service in the court's zone",
        "N.D. Cal.",
        "2023-03-01",
        "2023-03-01T03:00:00Z",
        "2023-03-15T07:00:00Z",
        [],
    ),
    ("Independence Day", "N.D. Cal.", "2023-06-20", None, "2023-07-06T07:00:00Z", ["2023-07-04"]),
    (
        "observed Independence Day and weekend",
        "S.D.N.Y.",
        "2026-06-19",
        None,
        "2026-07-07T04:00:00Z",
        ["2026-07-03", "2026-07-04", "2026-07-05"],
    ),
    ("weekend only", "SDNY", "2023-03-04", None, "2023-03-21T04:00:00Z", ["2023-03-18", "2023-03-19"]),
    ("Thanksgiving", "N.D. Ill.", "2023-11-09", None, "2023-11-25T06:00:00Z", ["2023-11-23"]),
    ("Juneteenth", "D.D.C.", "2023-06-05", None, "2023-06-21T04:00:00Z", ["2023-06-19"]),
    ("Christmas observed on Monday", "E.D. Va.", "2022-12-12", None, "2022-12-28T05:00:00Z", ["2022-12-26"]),
    ("court not in the catalogue: New York", "Court of Nowhere", "2023-03-01", None, "2023-03-16T04:00:00Z", []),
    ("no court: New York", None, "2023-03-01", None, "2023-03-16T04:00:00Z", []),
]


@pytest.mark.parametrize(
    ("court", "as_of", "served_at", "due", "rolled"),
    [pytest.param(*row[1:], id=row[0]) for row in COMITY],
)
def test_comity_motion_due(court, as_of, served_at, due, rolled):
    obj = scenario(
        as_of,
        "US-SCA-WARRANT",
        "US",
        court=court,
        served_at=served_at,
        holdings=[("content", "GB", INC)],
        us_person=False,
        residence="GB",
    )
    out = run(obj)
    w = out["deadline_working"]["comity_motion_due"]
    assert out["deadlines"]["comity_motion_due"] == due
    assert w["rolled_over"] == rolled
    assert w["holidays_country"].split(", ")[0] == "US"  # federal, then the court's state
    assert w["counting"] == "after-day-of-service"
    assert "45(a)" in w["citation"]
    assert out["deadlines"]["response_due"] is None


def test_comity_motion_in_an_unknown_court_says_new_york_was_assumed():
    obj = scenario(
        "2023-03-01",
        "US-SCA-WARRANT",
        "US",
        court="Court of Nowhere",
        holdings=[("content", "GB", INC)],
        us_person=False,
        residence="GB",
    )
    out = run(obj)
    assert out["deadline_working"]["comity_motion_due"]["time_zone"] == "America/New_York"
    court = next(r for r in out["reasons"] if r["code"] == "court")
    assert "Court of Nowhere" in court["text"]
    assert "America/New_York" in court["text"]
    assert "federal legal holidays only" in court["text"]


# ------------------------------------------------------------- response_due rules


def test_due_at_overrides_the_period_and_is_converted_to_utc():
    obj = scenario("2023-06-01", "GB-COPO", "GB", served_at="2023-06-01T09:00:00Z", due_at="2023-06-05T17:00:00+01:00")
    w = working(obj)
    assert w["due"] == "2023-06-05T16:00:00Z"
    assert w["basis"] == "due_at"


@pytest.mark.parametrize(
    ("due_at", "utc"),
    [
        ("2026-09-05T17:00:00", "2026-09-05T17:00:00Z"),
        ("2026-09-05T17:00:00Z", "2026-09-05T17:00:00Z"),
        ("2026-09-05T17:00:00-07:00", "2026-09-06T00:00:00Z"),
        ("2026-09-05T01:30:00+05:30", "2026-09-04T20:00:00Z"),
    ],
)
def test_due_at_given_without_a_response_period(due_at, utc):
    obj = scenario("2026-09-01", "US-SCA-WARRANT", "US", due_at=due_at)
    assert response_due(obj) == utc


def test_due_at_stands_even_when_nothing_is_reachable():
    obj = scenario(
        "2023-01-01", "US-SCA-SUBPOENA", "US", due_at="2023-01-20T12:00:00Z", holdings=[("content", "US", INC)]
    )
    out = run(obj)
    assert out["items"][0]["reach"] == "none"
    assert out["deadlines"]["response_due"] == "2023-01-20T12:00:00Z"


def test_no_response_due_when_nothing_is_reachable():
    obj = scenario(
        "2026-09-01",
        "EU-EPO",
        "DE",
        IRL,
        served_at="2026-09-01T08:00:00Z",
        entities=with_entity(IRL, designated_for=[]),
        holdings=[("content", "US", INC)],
    )
    out = run(obj)
    assert out["items"][0]["reach"] == "none"
    assert out["deadlines"]["response_due"] is None


def test_prohibited_but_reachable_holding_still_has_a_response_due():
    obj = scenario(
        "2026-09-01", "EU-EPO", "DE", IRL, served_at="2026-09-01T08:00:00Z", holdings=[("content", "US", INC)]
    )
    out = run(obj)
    assert out["items"][0]["route"] == "mlat"
    assert out["deadlines"]["response_due"] == "2026-09-11T23:00:00Z"


def test_hook_failure_has_no_response_due():
    obj = scenario("2022-10-02", "GB-COPO", "GB", served_at="2022-10-02T09:00:00Z")
    assert response_due(obj) is None


@pytest.mark.parametrize("instrument", ["US-SCA-WARRANT", "AU-IPO", "BR-MCI-ORDER"])
def test_instruments_without_a_response_period(instrument):
    issuer = instrument[:2]
    obj = scenario("2024-06-01", instrument, issuer, holdings=[("subscriber", issuer, INC)])
    assert response_due(obj) is None


# ------------------------------------------------------------- periods module


def test_holiday_calendars_are_cached_per_country_and_year():
    assert public_holidays("IE", 2026) is public_holidays("IE", 2026)
    assert date(2026, 10, 26) in public_holidays("IE", 2026)
    assert date(2026, 7, 3) in holidays_for(CATALOGUE, ("US",))(2026)  # observed


def test_count_directly():
    period = CATALOGUE.period_by_code["EU-EPO-RESPONSE"]
    deadline = count(
        period,
        kind="response",
        served_at=datetime(2026, 9, 3, 10, tzinfo=UTC),
        as_of=date(2026, 9, 3),
        time_zone="Europe/Dublin",
        calendars=("IE",),
        holidays=holidays_for(CATALOGUE, ("IE",)),
    )
    assert deadline.due == datetime(2026, 9, 14, 23, tzinfo=UTC)
    assert deadline.rolled_over == (date(2026, 9, 13),)
    assert deadline.holidays_country == "IE"


def test_eu_holidays_only_for_the_years_the_catalogue_allows():
    """python-holidays for 2026-2035 only: a later year rolls over weekends alone."""
    ie = holidays_for(CATALOGUE, ("IE",))
    assert date(2035, 12, 25) in ie(2035)
    assert ie(2036) == frozenset()
    assert ie(2025) == frozenset()


def test_a_calendar_with_no_rows_has_no_holidays():
    assert holidays_for(CATALOGUE, ("IN",))(2026) == frozenset()


def test_result_deadline_objects():
    obj = scenario("2023-06-01", "GB-COPO", "GB", served_at="2023-06-01T09:00:00Z")
    result = evaluate(CATALOGUE, facts_from_scenario(obj, CATALOGUE))
    assert result.response_due is not None
    assert result.response_due.due == datetime(2023, 6, 7, 23, tzinfo=UTC)
    assert result.response_due.period == "GB-COPO-RESPONSE"
    assert result.comity_motion_due is None
