"""Manual deadlines: the period arithmetic (table-driven, pure) and the actions that
add, move, meet and cancel them (time frozen where "now" matters)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import actions, deadlines
from cases.deadlines import DEFAULT_RULES, RULES, Unit, count
from cases.models import Deadline
from jurisdictions.reach import load_catalogue_files
from tests.factories import CaseFactory, CourtFactory, JurisdictionFactory

NY, DUBLIN, SYDNEY = "America/New_York", "Europe/Dublin", "Australia/Sydney"
D = dt.date


def at(zone: str, *parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=ZoneInfo(zone))


# start, length, unit, zone, holidays, roll_over, due (UTC), last day, rolled over, skipped
PERIODS = [
    pytest.param(D(2026, 3, 2), 14, "calendar_days", NY, "US", True, "2026-03-17T04:00Z", D(2026, 3, 16), [], [],
                 id="14 days, ends on a Monday (EDT since 8 March)"),
    pytest.param(D(2026, 6, 4), 30, "calendar_days", NY, "US", True, "2026-07-07T04:00Z", D(2026, 7, 6),
                 [D(2026, 7, 4), D(2026, 7, 5)], [], id="30 days end on Independence Day, a Saturday: to Monday"),
    pytest.param(D(2026, 8, 24), 14, "calendar_days", NY, "US", True, "2026-09-09T04:00Z", D(2026, 9, 8),
                 [D(2026, 9, 7)], [], id="ends on Labor Day: to Tuesday"),
    pytest.param(D(2026, 8, 24), 14, "calendar_days", NY, None, True, "2026-09-08T04:00Z", D(2026, 9, 7), [], [],
                 id="no holiday calendar: weekends only"),
    pytest.param(D(2026, 8, 24), 14, "calendar_days", NY, "US", False, "2026-09-08T04:00Z", D(2026, 9, 7), [], [],
                 id="no roll-over"),
    pytest.param(dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC), 14, "calendar_days", SYDNEY, "AU", True,
                 "2026-03-17T13:00Z", D(2026, 3, 17), [], [],
                 id="the trigger day is the court's day: 3 March in Sydney"),
    pytest.param(D(2026, 12, 18), 5, "business_days", NY, "US", True, "2026-12-29T05:00Z", D(2026, 12, 28), [],
                 [D(2026, 12, 19), D(2026, 12, 20), D(2026, 12, 25), D(2026, 12, 26), D(2026, 12, 27)],
                 id="5 business days over Christmas"),
    pytest.param(D(2026, 3, 13), 3, "business_days", DUBLIN, "IE", True, "2026-03-20T00:00Z", D(2026, 3, 19), [],
                 [D(2026, 3, 14), D(2026, 3, 15), D(2026, 3, 17)], id="3 business days over St Patrick's Day"),
    pytest.param(at(NY, 2026, 3, 6, 10), 24, "hours", NY, "US", True, "2026-03-09T14:00Z", None,
                 [D(2026, 3, 7), D(2026, 3, 8)], [], id="24 hours end on a Saturday: same time Monday, now EDT"),
    pytest.param(at(NY, 2026, 3, 6, 10), 24, "hours", NY, "US", False, "2026-03-07T15:00Z", None, [], [],
                 id="24 hours, no roll-over"),
    pytest.param(dt.datetime(2026, 3, 7, 17, tzinfo=dt.UTC), 48, "hours", NY, "US", True, "2026-03-09T17:00Z", None,
                 [], [], id="48 elapsed hours across the change to summer time"),
    pytest.param(at(DUBLIN, 2026, 3, 16, 12), 24, "hours", DUBLIN, "IE", True, "2026-03-18T12:00Z", None,
                 [D(2026, 3, 17)], [], id="24 hours end on St Patrick's Day: to Wednesday"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "length", "unit", "zone", "holidays", "roll_over", "due", "last_day", "rolled", "skipped"), PERIODS
)
def test_period_counting(start, length, unit, zone, holidays, roll_over, due, last_day, rolled, skipped):
    working = count(
        start=start, length=length, unit=unit, time_zone=zone, holidays_country=holidays, roll_over=roll_over
    )
    assert working.due == dt.datetime.fromisoformat(due.replace("Z", "+00:00"))
    assert working.due.tzinfo == dt.UTC
    assert (working.last_day, list(working.rolled_over), list(working.skipped)) == (last_day, rolled, skipped)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": D(2026, 3, 2), "unit": "hours"}, "needs a start time"),
        ({"start": dt.datetime(2026, 3, 2, 9), "unit": "hours"}, "aware"),
        ({"length": 0}, "at least 1"),
        ({"length": -3}, "at least 1"),
        ({"length": 2.5}, "whole number"),
        ({"unit": "fortnights"}, "unknown unit"),
    ],
)
def test_periods_that_cannot_be_counted(kwargs, message):
    arguments = {"start": D(2026, 3, 2), "length": 14, "unit": "calendar_days", "time_zone": NY,
                 "holidays_country": "US", **kwargs}  # fmt: skip
    with pytest.raises(ValueError, match=message):
        count(**arguments)


def test_the_working_is_explained_and_stored_as_json():
    working = count(
        start=D(2026, 6, 4), length=30, unit=Unit.CALENDAR_DAYS, time_zone=NY, holidays_country="US",
        rule="frap-4a1a-notice", citation=RULES["frap-4a1a-notice"].citation,
    )  # fmt: skip
    stored = working.as_json()
    assert stored["due"] == "2026-07-07T04:00:00Z"
    assert stored["rolled_over"] == ["2026-07-04", "2026-07-05"]
    assert (stored["length"], stored["unit"], stored["rule"]) == (30, "calendar_days", "frap-4a1a-notice")
    assert "Fed. R. App. P. 4(a)(1)(A)" in stored["explanation"]
    assert "rolling over 2026-07-04, 2026-07-05" in stored["explanation"]


def test_every_named_rule_can_be_counted():
    for rule in RULES.values():
        working = count(start=D(2026, 1, 2), length=rule.length, unit=rule.unit, time_zone=NY, holidays_country="US")
        assert working.due > dt.datetime(2026, 1, 2, tzinfo=dt.UTC)


def test_the_named_rules_are_the_catalogues_court_rules():
    catalogue = load_catalogue_files()
    assert dict(RULES) == dict(catalogue.court_rule_by_code)
    assert dict(DEFAULT_RULES) == {"objection": "frcp-72a-objection", "appeal_notice": "frap-4a1a-notice"}
    notice = RULES["frap-4a1a-notice"]
    assert (notice.length, notice.unit, notice.citation, notice.roll_over) == (
        30, Unit.CALENDAR_DAYS, "Fed. R. App. P. 4(a)(1)(A), 26(a)", True,
    )  # fmt: skip
    assert deadlines.RULES is RULES  # read from the files once, cached until one changes


# --- The actions -----------------------------------------------------------------------------------


@pytest.fixture
def case(db):
    return CaseFactory(demand__court=CourtFactory(name="S.D.N.Y.", time_zone=NY))


@time_machine.travel(dt.datetime(2026, 6, 4, 15, tzinfo=dt.UTC), tick=False)
def test_a_manual_deadline_counts_from_now_by_its_kinds_rule(case, counsel_user):
    deadline = actions.add_deadline(case=case, kind="appeal_notice", by=counsel_user, expected_version=1)
    assert deadline.due_at == dt.datetime(2026, 7, 7, 4, tzinfo=dt.UTC)  # 30 days, past the 4th of July weekend
    assert (deadline.source, deadline.state, deadline.created_by) == ("manual", "open", counsel_user)
    assert deadline.computation["rule"] == "frap-4a1a-notice"
    assert deadline.computation["start"] == "2026-06-04T11:00:00-04:00"
    assert (deadline.computation["time_zone"], deadline.computation["holidays_country"]) == (NY, "US")
    event = case.events.get()
    assert (event.kind, event.occurred_on, event.by) == ("deadline_added", D(2026, 6, 4), counsel_user)
    assert event.data["deadline"] == deadline.pk
    case.refresh_from_db()
    assert case.version == 2


@time_machine.travel(dt.datetime(2026, 3, 13, 15, tzinfo=dt.UTC), tick=False)
def test_a_deadline_in_business_days_of_another_jurisdictions_calendar(case, counsel_user):
    ireland = JurisdictionFactory(code="IE", time_zone=DUBLIN, holidays_country="IE")
    deadline = actions.add_deadline(
        case=case, kind="custom", label="Reply to the Irish authority", by=counsel_user, expected_version=1,
        length=3, unit="business_days", jurisdiction=ireland,
    )  # fmt: skip
    assert deadline.due_at == dt.datetime(2026, 3, 20, tzinfo=dt.UTC)  # Mon, (Tue 17 not counted), Wed, Thu
    assert deadline.computation["skipped"] == ["2026-03-14", "2026-03-15", "2026-03-17"]


def test_a_deadline_in_hours_and_one_given_outright(case, counsel_user):
    start = at(NY, 2026, 3, 6, 10)
    in_hours = actions.add_deadline(
        case=case, kind="objection", by=counsel_user, expected_version=1, start=start, length=24, unit="hours",
        court=CourtFactory(name="2d Cir.", time_zone=NY),
    )  # fmt: skip
    assert in_hours.due_at == dt.datetime(2026, 3, 9, 14, tzinfo=dt.UTC)
    given = dt.datetime(2026, 4, 1, 21, tzinfo=dt.UTC)
    outright = actions.add_deadline(
        case=case, kind="custom", label="Meet and confer", by=counsel_user, expected_version=2, due_at=given
    )
    assert (outright.due_at, outright.computation["rule"]) == (given, "given")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "response"}, "kind"),
        ({"kind": "custom", "length": 3, "unit": "calendar_days"}, "label"),
        ({"kind": "objection", "rule": "frcp-99"}, "rule"),
        ({"kind": "objection", "rule": "frcp-72a-objection", "length": 3}, "rule"),
        ({"kind": "custom", "label": "x"}, "length"),
        ({"kind": "objection", "length": 0, "unit": "calendar_days"}, "length"),
        ({"kind": "objection", "due_at": dt.datetime(2026, 4, 1, tzinfo=dt.UTC), "length": 3}, "due_at"),
        ({"kind": "objection", "due_at": dt.datetime(2026, 4, 1)}, "due_at"),
    ],
)
def test_deadlines_refused_name_the_field(case, counsel_user, kwargs, field):
    with pytest.raises(ValidationError) as refused:
        actions.add_deadline(case=case, by=counsel_user, expected_version=1, start=D(2026, 3, 2), **kwargs)
    assert field in refused.value.message_dict
    assert not Deadline.objects.exists() and not case.events.exists()


@time_machine.travel(dt.datetime(2026, 3, 20, 15, tzinfo=dt.UTC), tick=False)
def test_a_moved_deadline_records_why_and_keeps_the_old_one(case, counsel_user):
    old = actions.add_deadline(
        case=case, kind="objection", by=counsel_user, expected_version=1, start=D(2026, 3, 2)
    )  # 14 days: due 2026-03-17T04:00Z
    with pytest.raises(ValidationError) as refused:
        actions.move_deadline(deadline=old, by=counsel_user, expected_version=2, reason=" ", length=21,
                              unit="calendar_days")  # fmt: skip
    assert "reason" in refused.value.message_dict
    new = actions.move_deadline(
        deadline=old, by=counsel_user, expected_version=2, reason="Extension granted by the magistrate judge.",
        length=21, unit="calendar_days", occurred_on=D(2026, 3, 10),
    )  # fmt: skip
    old.refresh_from_db()
    assert (old.state, old.completed_on) == ("superseded", D(2026, 3, 10))
    assert new.previous == old and new.state == "open"
    assert new.due_at == dt.datetime(2026, 3, 24, 4, tzinfo=dt.UTC)  # 21 days from the same start
    assert new.computation["start"] == old.computation["start"]
    assert (new.computation["moved_from"], new.computation["reason"]) == (
        "2026-03-17T04:00:00Z", "Extension granted by the magistrate judge.",
    )  # fmt: skip
    event = case.events.get(kind="deadline_moved")
    assert (event.occurred_on, event.note, event.data["previous"]) == (
        D(2026, 3, 10), "Extension granted by the magistrate judge.", old.pk,
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        actions.move_deadline(deadline=old, by=counsel_user, expected_version=3, reason="again", length=30,
                              unit="calendar_days")  # fmt: skip
    assert "not open" in refused.value.message_dict["state"][0]


def test_computed_deadlines_are_not_moved_or_cancelled_by_hand(case, counsel_user):
    computed = Deadline.objects.create(
        case=case, kind="response", due_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC), source="computed"
    )
    with pytest.raises(ValidationError) as refused:
        actions.move_deadline(deadline=computed, by=counsel_user, expected_version=1, reason="x",
                              due_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))  # fmt: skip
    assert "follows the analysis" in refused.value.message_dict["source"][0]
    with pytest.raises(ValidationError):
        actions.cancel_deadline(deadline=computed, by=counsel_user, expected_version=1, reason="x")
    computed.refresh_from_db()
    assert computed.state == "open"


@time_machine.travel(dt.datetime(2026, 3, 20, 15, tzinfo=dt.UTC), tick=False)
def test_meeting_and_cancelling_deadlines(case, counsel_user):
    response = Deadline.objects.create(
        case=case, kind="response", due_at=dt.datetime(2026, 4, 1, tzinfo=dt.UTC), source="computed"
    )
    actions.complete_deadline(deadline=response, by=counsel_user, expected_version=1, note="Produced.")
    assert (response.state, response.completed_on) == ("met", D(2026, 3, 20))
    with pytest.raises(ValidationError):
        actions.complete_deadline(deadline=response, by=counsel_user, expected_version=2)
    manual = actions.add_deadline(case=case, kind="custom", label="Call AUSA", by=counsel_user, expected_version=2,
                                  length=2, unit="business_days")  # fmt: skip
    actions.cancel_deadline(deadline=manual, by=counsel_user, expected_version=3, reason="Demand withdrawn.")
    manual.refresh_from_db()
    assert manual.state == "cancelled"
    assert list(case.events.values_list("kind", flat=True)) == ["deadline_met", "deadline_added", "deadline_cancelled"]
