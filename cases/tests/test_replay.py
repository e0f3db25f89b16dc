"""The Microsoft Ireland demo case carries its whole history, 2013 to 2018, recorded
through the workflow actions by `load_demo` (via `replay_msft_ireland`)."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import Case, CaseEvent
from jurisdictions import loader

D = dt.date

# kind, track, to_state, occurred_on, court, citation: the timeline as recorded.
TIMELINE = [
    # The first analysis (as of the day served) moved the case to counsel's review by itself.
    ("status_changed", "status", "counsel_review", D(2013, 12, 4), "", ""),
    ("demand_served", "", "", D(2013, 12, 4), "S.D.N.Y.", ""),
    ("status_changed", "status", "litigating", D(2013, 12, 18), "", ""),
    ("motion_filed", "", "", D(2013, 12, 18), "S.D.N.Y.", ""),
    ("motion_denied", "", "", D(2014, 4, 25), "S.D.N.Y.", "15 F. Supp. 3d 466 (S.D.N.Y. 2014)"),
    ("order_affirmed", "", "", D(2014, 7, 31), "S.D.N.Y.", ""),
    ("stay_granted", "", "", D(2014, 8, 1), "S.D.N.Y.", ""),
    ("stay_lifted", "", "", D(2014, 8, 29), "S.D.N.Y.", ""),
    ("contempt_changed", "contempt", "held", D(2014, 9, 8), "S.D.N.Y.", ""),
    ("appeal_changed", "appeal", "notice_filed", D(2014, 9, 9), "2d Cir.", ""),
    ("appeal_changed", "appeal", "argued", D(2015, 9, 9), "2d Cir.", ""),
    ("appeal_changed", "appeal", "decided", D(2016, 7, 14), "2d Cir.", "829 F.3d 197 (2d Cir. 2016)"),
    ("contempt_changed", "contempt", "vacated", D(2016, 7, 14), "2d Cir.", "829 F.3d 197 (2d Cir. 2016)"),
    ("appeal_changed", "appeal", "rehearing_petition", D(2016, 10, 13), "2d Cir.", ""),
    ("appeal_changed", "appeal", "decided", D(2017, 1, 24), "2d Cir.", "855 F.3d 53 (2d Cir. 2017)"),
    ("appeal_changed", "appeal", "certiorari_petition", D(2017, 6, 23), "Supreme Court of the United States", ""),
    ("appeal_changed", "appeal", "certiorari_granted", D(2017, 10, 16), "Supreme Court of the United States", ""),
    ("appeal_changed", "appeal", "argued", D(2018, 2, 27), "Supreme Court of the United States", ""),
    ("legislation_enacted", "", "", D(2018, 3, 23), "", "Pub. L. No. 115-141, div. V (2018)"),
    ("appeal_changed", "appeal", "decided", D(2018, 4, 17), "Supreme Court of the United States",
     "138 S. Ct. 1186 (2018) (per curiam)"),
    ("status_changed", "status", "closed", D(2018, 4, 17), "", ""),
]  # fmt: skip
# Every case starts with its intake entry (log_demand), dated when the demand was served.
LOGGED = ("demand_logged", "", "", D(2013, 12, 4), "", "")


def _timeline(case: Case) -> list[tuple]:
    events = (
        case.events.exclude(kind__in=["analysed", "analysis_changed"])
        .select_related("court")
        .order_by("occurred_on", "recorded_at", "pk")
    )
    return [
        (e.kind, e.track, e.to_state, e.occurred_on, e.court.name if e.court else e.court_name, e.citation)
        for e in events
    ]


@pytest.fixture
def demo(catalogue):
    # jurisdictions.loader caches the catalogue by version number; on PostgreSQL a
    # rolled-back test leaves a cached CatalogueVersion whose pk no longer exists.
    loader._cache.clear()
    call_command("load_demo", stdout=StringIO())
    return Case.objects.select_related("demand", "counsel").get(demand__reference="13-MAG-2814")


def test_load_demo_leaves_the_case_closed_as_moot_with_its_timeline(demo):
    case = demo
    assert (case.status, case.outcome) == ("closed", "moot")
    assert (case.appeal_status, case.appeal_disposition) == ("decided", "vacated")
    assert (case.contempt_status, case.contempt_kind, case.contempt_by_stipulation) == ("vacated", "civil", True)
    assert (case.contempt_sanctions_amount, case.contempt_stayed) == (Decimal("0.00"), False)
    assert _timeline(case) == [LOGGED, *TIMELINE]
    workflow_events = case.events.exclude(kind__in=["demand_logged", "analysed", "analysis_changed"])
    system = workflow_events.get(by__isnull=True)  # the move to counsel's review, by the first analysis
    assert (system.from_state, system.to_state, system.note) == (
        "intake", "counsel_review", "Analysed: ready for counsel's review.",
    )  # fmt: skip
    assert {e.by for e in workflow_events.exclude(pk=system.pk)} == {case.counsel}
    assert case.events.get(kind="demand_logged").by.username == "intake"  # the demo's intake clerk logged it
    assert case.version == 1 + len(TIMELINE)
    held = case.events.get(to_state="held")
    assert held.data == {"kind": "civil", "by_stipulation": True, "sanctions_amount": "0",
                         "sanctions_currency": "USD", "sanctions_period": "", "stayed": False}  # fmt: skip
    second_circuit = case.events.get(occurred_on=D(2016, 7, 14), track="appeal")
    assert second_circuit.data == {"disposition": "reversed"}
    en_banc = case.events.get(occurred_on=D(2017, 1, 24))
    assert en_banc.data == {"disposition": "reversed", "rehearing_denied": True}
    # The analyses load_demo stores stay on the timeline too.
    assert case.events.filter(kind__in=["analysed", "analysis_changed"]).exists()


def test_load_demo_twice_duplicates_nothing(demo):
    before = CaseEvent.objects.count()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already has its history" in out.getvalue()
    assert CaseEvent.objects.count() == before
    assert Case.objects.filter(demand__reference__startswith="13-MAG-2814").count() == 1


def test_replaying_again_uses_a_fresh_copy_of_the_case(demo):
    before = list(demo.events.values_list("pk", flat=True))
    out = StringIO()
    call_command("replay_msft_ireland", stdout=out)
    call_command("replay_msft_ireland", stdout=out)
    assert "13-MAG-2814-REPLAY-1" in out.getvalue() and "13-MAG-2814-REPLAY-2" in out.getvalue()
    assert list(demo.events.values_list("pk", flat=True)) == before  # the original is untouched
    for reference in ("13-MAG-2814-REPLAY-1", "13-MAG-2814-REPLAY-2"):
        copy = Case.objects.get(demand__reference=reference)
        assert (copy.status, copy.outcome, copy.appeal_disposition, copy.contempt_status) == (
            "closed", "moot", "vacated", "vacated",
        )  # fmt: skip
        assert _timeline(copy) == [LOGGED, *TIMELINE]
        assert copy.demand.accounts.get().holdings.count() == 3
        assert copy.demand.nondisclosure_orders.count() == 1
        assert copy.analyses.count() == demo.analyses.count()


def test_replay_needs_the_demo_case(db):
    with pytest.raises(Exception, match="load_demo"):
        call_command("replay_msft_ireland", stdout=StringIO())
