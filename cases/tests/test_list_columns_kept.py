"""The case list's columns kept on the case (issue 18): the demand's emergency flag and
reference, the list's rank (open emergencies first) and the next open deadline. Each
must equal what it is derived from after every kind of write, or the list would sort
and filter on a stale value."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.actions import deadlines, tracks
from cases.models import Case, Deadline, refresh_next_deadline
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def derived(case: Case) -> tuple:
    """The next open deadline (due time, kind) computed from the deadlines themselves."""
    first = case.deadlines.filter(state=Deadline.State.OPEN).order_by("due_at", "pk").first()
    return (first.due_at, first.kind) if first else (None, None)


def kept(case: Case) -> tuple:
    row = Case.objects.values_list("next_deadline_at", "next_deadline_kind").get(pk=case.pk)
    return tuple(row)


def version(case: Case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def test_copied_from_the_demand_when_the_case_is_created():
    urgent = CaseFactory(demand__emergency=True, demand__reference="URG-1")
    plain = CaseFactory(demand__reference="PLAIN-1")
    rows = dict(Case.objects.values_list("pk", "list_rank"))
    assert (urgent.emergency, urgent.reference, rows[urgent.pk]) == (True, "URG-1", 0)
    assert (plain.emergency, plain.reference, rows[plain.pk]) == (False, "PLAIN-1", 1)


def test_a_closed_emergency_is_no_longer_first(counsel_user):
    case = CaseFactory(demand__emergency=True, status="responding")
    assert Case.objects.get(pk=case.pk).list_rank == 0
    tracks.change_status(
        case=case, to="closed", outcome="moot", occurred_on=timezone.localdate(), by=counsel_user, expected_version=None
    )
    assert Case.objects.get(pk=case.pk).list_rank == 1


def test_next_deadline_follows_every_step_on_the_deadlines(counsel_user):
    case = CaseFactory(status="responding")
    assert kept(case) == (None, None)
    soon = timezone.now() + dt.timedelta(days=3)
    later = timezone.now() + dt.timedelta(days=9)

    custom = deadlines.add_deadline(
        case=case, kind="custom", label="Call the officer", due_at=later, by=counsel_user, expected_version=None
    )
    assert kept(case) == derived(case) == (later, "custom")

    objection = deadlines.add_deadline(case=case, kind="objection", due_at=soon, by=counsel_user, expected_version=None)
    assert kept(case) == derived(case) == (soon, "objection")

    moved = deadlines.move_deadline(
        deadline=objection,
        due_at=later + dt.timedelta(days=1),
        reason="The court extended it",
        by=counsel_user,
        expected_version=None,
    )
    assert kept(case) == derived(case) == (later, "custom")

    deadlines.complete_deadline(deadline=custom, by=counsel_user, expected_version=None)
    assert kept(case) == derived(case) == (later + dt.timedelta(days=1), "objection")

    deadlines.cancel_deadline(deadline=moved, reason="Withdrawn", by=counsel_user, expected_version=None)
    assert kept(case) == derived(case) == (None, None)


def test_queryset_writes_keep_it_too():
    case = CaseFactory()
    now = timezone.now()
    Deadline.objects.bulk_create(
        [
            Deadline(case=case, kind="response", due_at=now + dt.timedelta(days=2), source="computed"),
            Deadline(case=case, kind="custom", label="x", due_at=now + dt.timedelta(days=5), source="manual"),
        ]
    )
    assert kept(case) == (now + dt.timedelta(days=2), "response")
    Deadline.objects.filter(case=case, kind="response").update(state=Deadline.State.MET)
    assert kept(case) == (now + dt.timedelta(days=5), "custom")
    Deadline.objects.filter(case=case).delete()
    assert kept(case) == (None, None)


def test_saving_a_case_read_before_a_deadline_does_not_put_back_the_old_value(counsel_user):
    case = CaseFactory(status="responding")
    stale = Case.objects.get(pk=case.pk)  # read before the deadline exists
    due = timezone.now() + dt.timedelta(days=4)
    deadlines.add_deadline(case=case, kind="objection", due_at=due, by=counsel_user, expected_version=None)
    stale.contempt_sanctions_period = "per day"
    stale.save()  # every field but the derived ones
    assert kept(case) == (due, "objection")
    assert Case.objects.get(pk=case.pk).contempt_sanctions_period == "per day"


def test_refresh_sets_many_cases_in_one_statement(django_assert_num_queries):
    cases = [CaseFactory() for _ in range(3)]
    due = timezone.now() + dt.timedelta(days=1)
    for case in cases:
        Deadline.objects.bulk_create([Deadline(case=case, kind="response", due_at=due, source="computed")])
    Case.objects.update(next_deadline_at=None, next_deadline_kind=None)
    with django_assert_num_queries(1):
        refresh_next_deadline(c.pk for c in cases)
    assert [kept(c) for c in cases] == [(due, "response")] * 3


# --- the report's flags: kept on the analysis and on its case ---------------------


def item(category: str, reach: str, storage: str | None) -> dict:
    return {"category": category, "reach": reach, "storage": storage, "route": "direct", "account": "a"}


@pytest.mark.parametrize(
    ("items", "overrides", "expected"),
    [
        ([item("content", "storage", "US")], {}, (True, False)),
        ([item("content", "none", "US")], {}, (False, False)),
        ([item("traffic", "control", "IE")], {}, (False, True)),  # control, stored abroad
        ([item("traffic", "control", "US")], {}, (False, False)),  # control, stored at home
        ([item("traffic", "control", None)], {}, (False, True)),  # control, place unknown
        ([item("content", "control", "IE")], {0: "none"}, (False, False)),  # counsel: not reached
        ([item("content", "none", "US")], {0: "storage"}, (True, False)),
        ([{"category": "content", "reach": None}], {}, (False, False)),
        ("not an answer", {}, (False, False)),
    ],
)
def test_report_flags(items, overrides, expected):
    from cases.models import report_flags

    result = {"items": items} if isinstance(items, list) else items
    assert report_flags(result, overrides, "US") == expected


def test_flags_follow_the_analysis_in_force_and_counsels_overrides(version, counsel_user):
    from cases.models import Analysis, HoldingOverride

    case = CaseFactory(demand__issuing_jurisdiction__code="US")

    def flags():
        return tuple(Case.objects.values_list("reaches_content", "reaches_abroad").get(pk=case.pk))

    def analyse(items, fingerprint):
        return Analysis.objects.create(
            case=case,
            as_of=dt.date(2026, 1, 1),
            catalogue_version=version,
            result={"items": items},
            fingerprint=fingerprint,
        )

    assert flags() == (False, False)
    first = analyse([item("content", "control", "IE")], "1")
    assert (first.reaches_content, first.reaches_abroad) == (True, True) and flags() == (True, True)
    analyse([item("traffic", "storage", "US")], "2")
    assert flags() == (False, False)  # the newest is in force
    newest = analyse([item("content", "control", "IE")], "3")
    HoldingOverride.objects.create(
        analysis=newest,
        item=0,
        account="a",
        category="content",
        reach="none",
        route="mlat",
        reason="r",
        by=counsel_user,
    )
    newest.refresh_from_db()
    assert (newest.reaches_content, newest.reaches_abroad) == (False, False) and flags() == (False, False)


def test_a_save_of_other_fields_leaves_the_case_alone(django_assert_num_queries):
    case = CaseFactory()
    deadline = Deadline.objects.create(
        case=case, kind="custom", label="x", due_at=timezone.now() + dt.timedelta(days=1), source="manual"
    )
    deadline.label = "Call the officer back"
    with django_assert_num_queries(1):  # the deadline's UPDATE alone
        deadline.save(update_fields=["label"])
    deadline.state = Deadline.State.MET
    with django_assert_num_queries(2):  # and the case's next deadline
        deadline.save(update_fields=["state"])
    assert kept(case) == (None, None)
