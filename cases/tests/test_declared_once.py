"""Each vocabulary declared once, the behaviour on the models and querysets, and one
audit-history diff for the case file's page and the export."""

import datetime as dt

from django.utils import timezone

from cases import export, workflow
from cases.models import (
    Analysis,
    Case,
    CaseEvent,
    ContemptKind,
    Deadline,
    HoldingOverride,
    Reach,
    Route,
    Status,
    TrackName,
    in_force,
)
from cases.tests.builders import full_case
from cases.views.case_file import _audit_history
from jurisdictions import reach as engine
from tests.factories import CaseFactory


def test_the_engines_vocabularies_are_the_overrides_choices():
    assert Reach.values == [r.value for r in engine.Reach]
    assert Route.values == [r.value for r in engine.Route]
    assert Route.INSUFFICIENT_INSTRUMENT.label == "Insufficient instrument" and Route.MLAT.label == "MLAT"
    assert HoldingOverride._meta.get_field("reach").choices == Reach.choices
    assert HoldingOverride._meta.get_field("route").choices == Route.choices


def test_track_names_and_contempt_kinds_are_declared_once():
    assert list(workflow.TRACKS) == TrackName.values
    assert CaseEvent._meta.get_field("track").choices == TrackName.choices
    assert ContemptKind.choices == [("civil", "Civil"), ("criminal", "Criminal")]
    assert Case._meta.get_field("contempt_kind").choices == ContemptKind.choices


def test_open_cases_and_their_deadlines(db):
    open_case = CaseFactory()
    closed = CaseFactory(status=Status.CLOSED, outcome="moot")
    assert list(Case.objects.open()) == [open_case]
    assert not open_case.is_closed and closed.is_closed
    due = timezone.now() + dt.timedelta(days=1)
    for case in (open_case, closed):
        Deadline.objects.create(case=case, kind="response", due_at=due, source="computed")
    assert [d.case for d in Deadline.objects.open().of_open_cases()] == [open_case]


def test_the_latest_analysis_is_the_newest(version):
    case = full_case(version, analyses=3)
    newest = Analysis.objects.filter(case=case).order_by("-created_at", "-pk").first()
    assert case.latest_analysis == newest
    annotated = Case.objects.with_latest_analysis().get(pk=case.pk)
    assert annotated.latest_analysis_id == newest.pk
    assert CaseFactory().latest_analysis is None


def test_the_latest_override_of_a_holding_is_in_force(version, counsel_user):
    case = full_case(version, analyses=1)
    analysis = case.latest_analysis
    same_time = timezone.now()
    first, second, other = (
        HoldingOverride.objects.create(
            analysis=analysis, item=item, account="a", category="content", reach=reach, route=route, reason="r",
            by=counsel_user,
        )
        for item, reach, route in ((0, "none", "mlat"), (0, "storage", "direct"), (1, "none", "redirect"))
    )  # fmt: skip
    HoldingOverride.objects.update(created_at=same_time)  # a tie is broken by the row's id
    assert HoldingOverride.objects.in_force() == [second, other]
    assert in_force([{"item": 0, "n": 1}, {"item": 0, "n": 2}], key=lambda o: o["item"]) == [{"item": 0, "n": 2}]


def test_page_and_export_show_the_same_history(version, counsel_user):
    case = full_case(version, analyses=1)
    demand = case.demand
    demand._history_user = counsel_user
    demand.issuing_authority = "FBI"
    demand.save()
    case.status, case.version, case._history_user = Status.ANALYSIS, case.version + 1, counsel_user
    case.save()
    case.version += 1  # a save that changes no fact: no entry
    case.save()
    page = _audit_history(case)
    record = export._audit_history(case)
    shown = [e for e in record if e["model"] != "nondisclosure_order"]  # the export has them too
    assert len(page) == len(shown)
    page_changes = sorted(c for e in page for c in e["changes"])
    # The page names a choice by its label; the export keeps the stored value.
    assert page_changes == ["issuing authority: U.S. Department of Justice → FBI", "status: Intake → Analysis"]
    export_changes = sorted((c["field"], c["from"], c["to"]) for e in record for c in e.get("changes", []))
    assert export_changes == [
        ("issuing_authority", "U.S. Department of Justice", "FBI"),
        ("status", "intake", "analysis"),
    ]
