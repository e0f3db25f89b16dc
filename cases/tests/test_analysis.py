"""Analyses stored for cases: when they are made, what they record, what changes."""

import datetime as dt

import pytest

from cases.analysis import analyse_case, answer_of, changes_in_words, describe_changes, summarise
from cases.models import Analysis, CaseEvent, Deadline
from jurisdictions.models import ControllingEntity, DataLocation, LegalInstrument
from outbox.models import OutboxMessage
from tests.factories import AccountFactory, CaseFactory, DemandFactory, EntityFactory, HoldingFactory


@pytest.fixture
def warrant_case(catalogue):
    msft = EntityFactory(name="Microsoft Corporation")
    dublin = DataLocation.objects.create(name="Dublin", country_id="IE", operated_by=msft)
    demand = DemandFactory(
        reference="13-MAG-2814",
        instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"),
        court=None,
        served_entity=msft,
        served_at=dt.datetime(2013, 12, 4, tzinfo=dt.UTC),
    )
    account = AccountFactory(demand=demand, identifier="target@example.com")
    HoldingFactory(account=account, category="content", data_location=dublin, controlled_by=msft)
    return CaseFactory(demand=demand)


def test_first_analysis_is_stored_with_catalogue_version_and_reasons(warrant_case, catalogue):
    outcome = analyse_case(case=warrant_case, as_of=dt.date(2014, 4, 25))
    analysis = outcome.analysis
    assert outcome.created and analysis.catalogue_version == catalogue and analysis.as_of == dt.date(2014, 4, 25)
    assert analysis.doctrine == "control-based"
    item = analysis.result["items"][0]
    assert (item["reach"], item["route"], item["conflicts"]) == ("control", "direct", [])
    assert any(r["citation"] for r in analysis.result["reasons"])
    # The first analysis moves the case from intake to counsel's review, a system event.
    events = CaseEvent.objects.filter(case=warrant_case).order_by("pk")
    assert [(e.kind, e.to_state, e.by) for e in events] == [
        ("analysed", "", None),
        ("status_changed", "counsel_review", None),
    ]


def test_same_answer_same_date_stores_nothing_new(warrant_case):
    first = analyse_case(case=warrant_case, as_of=dt.date(2014, 4, 25))
    again = analyse_case(case=warrant_case, as_of=dt.date(2014, 4, 25))
    assert not again.created and again.analysis == first.analysis
    assert Analysis.objects.filter(case=warrant_case).count() == 1


def test_changed_answer_records_what_changed(warrant_case):
    analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 13))
    outcome = analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14))
    # No court: outside the Second Circuit, still control-based; only the authorities
    # differ (row 3's are not yet decided on 2016-07-14, so the statute: RULES.md §4.2).
    assert outcome.changes == ["doctrine rests on US-SCA-WARRANT (was US-SDNY-2014-04-25, US-SDNY-2014-07-31)"]
    from jurisdictions.models import Court

    warrant_case.demand.court = Court.objects.get(name="S.D.N.Y.")
    warrant_case.demand.save()
    changed = analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14))
    assert "doctrine control-based → storage-based" in changed.changes
    assert "Holding 1 (content, IE): reach control → none; route direct → mlat" in changed.changes
    event = CaseEvent.objects.filter(case=warrant_case, kind="analysis_changed").latest("pk")
    assert event.data["changes"] == changed.changes and event.occurred_on == dt.date(2016, 7, 14)
    # The timeline says what changed in words, not only that something did.
    assert "Doctrine control-based → storage-based; " in event.note
    assert "Holding 1 (content, IE): reach control → none; route direct → mlat" in event.note


def test_holding_change_reanalyses_after_commit(warrant_case, django_capture_on_commit_callbacks):
    analyse_case(case=warrant_case)
    zurich = DataLocation.objects.create(
        name="Zurich", country_id="CH", operated_by=ControllingEntity.objects.get(name="Microsoft Corporation")
    )
    holding = warrant_case.demand.accounts.get().holdings.get()
    with django_capture_on_commit_callbacks(execute=True):
        holding.data_location = zurich
        holding.save()
        holding.account.service = "Outlook.com"
        holding.account.save()  # same transaction, same case: enqueued once
    # One message for the two changes (the dedupe key joins the second to the first), and it was relayed.
    messages = OutboxMessage.objects.filter(task="cases.tasks.analyse_case", dedupe_key=f"analyse:{warrant_case.pk}")
    assert [m.sent_at is not None for m in messages] == [True]
    latest = warrant_case.latest_analysis
    assert latest.result["items"][0]["storage"] == "CH"
    assert latest.result["items"][0]["conflicts"] == ["CH-SCC-ART271"]
    assert latest.result["items"][0]["route"] == "mlat"


def test_catalogue_edit_reanalyses_open_cases(warrant_case, django_capture_on_commit_callbacks):
    from jurisdictions.models import ConflictRule

    holding = warrant_case.demand.accounts.get().holdings.get()
    holding.data_location = DataLocation.objects.create(
        name="Zurich", country_id="CH", operated_by=ControllingEntity.objects.get(name="Microsoft Corporation")
    )
    holding.save()
    analyse_case(case=warrant_case)
    with django_capture_on_commit_callbacks(execute=True):
        rule = ConflictRule.objects.get(code="CH-SCC-ART271")
        rule.severity = "restriction"
        rule.save()
    event = CaseEvent.objects.filter(case=warrant_case, kind="analysis_changed").latest("pk")
    assert any("route mlat → direct" in change for change in event.data["changes"])
    assert "The answer changed: Holding 1 (content, CH): route mlat → direct." in event.note


def test_computed_deadlines_follow_the_analysis(catalogue):
    msft = EntityFactory(name="Microsoft Corporation")
    us = DataLocation.objects.create(name="Quincy", country_id="US", operated_by=msft)
    demand = DemandFactory(
        instrument=LegalInstrument.objects.get(code="GB-COPO"),
        issuing_jurisdiction_id="GB",
        court=None,
        served_entity=msft,
        served_at=dt.datetime(2026, 10, 22, 9, 30, tzinfo=dt.UTC),
    )
    account = AccountFactory(demand=demand, us_person=False, residence_id="GB")
    HoldingFactory(account=account, category="content", data_location=us, controlled_by=msft)
    case = CaseFactory(demand=demand)
    analyse_case(case=case, as_of=dt.date(2026, 10, 22))
    deadline = Deadline.objects.get(case=case, kind="response", state="open")
    # 7 days beginning with the day of service (22 Oct is day 1): ends 00:00 29 Oct London (BST→GMT 25 Oct)
    assert deadline.due_at == dt.datetime(2026, 10, 29, 0, 0, tzinfo=dt.UTC)
    assert deadline.computation["period"] == "GB-COPO-RESPONSE"
    assert deadline.computation["time_zone"] == "Europe/London"
    demand.due_at = dt.datetime(2026, 11, 5, 17, 0, tzinfo=dt.UTC)
    demand.save()
    analyse_case(case=case, as_of=dt.date(2026, 10, 22))
    assert Deadline.objects.get(case=case, kind="response", state="open").due_at == demand.due_at
    assert Deadline.objects.get(case=case, kind="response", state="superseded").due_at == deadline.due_at


def test_describe_changes_names_new_and_removed_holdings():
    base = {"doctrine": "control-based", "deadlines": {"response_due": None, "comity_motion_due": None}}
    item = {
        "account": "a",
        "category": "content",
        "storage": "IE",
        "controlled_by": "X",
        "reach": "control",
        "route": "direct",
        "conflicts": [],
        "comity_motion": False,
    }
    before = {**base, "items": [item]}
    after = {**base, "items": [{**item, "storage": "CH"}]}
    changes = describe_changes(before, after)
    assert "Holding 1 (content, CH): new holding, reach control, route direct" in changes
    assert "Holding 1 (content, IE): no longer a holding" in changes


def test_a_closed_cases_facts_edited_in_the_admin_do_not_reanalyse_it(warrant_case, django_capture_on_commit_callbacks):
    """A closed case is final: a fact edited afterwards (in the admin) leaves its analysis alone."""
    from cases import actions
    from cases.models import Status

    analyse_case(case=warrant_case)
    actions.change_status(
        case=warrant_case,
        to=Status.CLOSED,
        outcome="withdrawn",
        occurred_on=warrant_case.demand.served_at.date(),
        by=None,
        expected_version=None,
    )
    before = warrant_case.analyses.count()
    holding = warrant_case.demand.accounts.get().holdings.get()
    with django_capture_on_commit_callbacks(execute=True):
        holding.category = "subscriber"
        holding.save()
    assert warrant_case.analyses.count() == before
    assert not OutboxMessage.objects.filter(task="cases.tasks.analyse_case", sent_at__isnull=True).exists()


# ------------------------------------------------------------------ RULES.md v3


def _v3_item(**changes) -> dict:
    return {
        "account": "a",
        "category": "traffic",
        "storage": "CN",
        "controlled_by": "X",
        "reach": "none",
        "route": "mlat",
        "conflicts": [],
        "comity_motion": False,
        "voluntary": False,
        **changes,
    }


def _v3_result(*items, **changes) -> dict:
    return {
        "kind": "production",
        "doctrine": "control-based",
        "doctrine_authorities": ["US-CLOUD-ACT-2018-03-23"],
        "items": list(items),
        "deadlines": {
            "response_due": None,
            "comity_motion_due": None,
            "preservation_expires": None,
            "conflict_objection_due": None,
        },
        **changes,
    }


def test_describe_changes_says_what_changed_in_words():
    first = _v3_item(category="subscriber", storage="US", reach="storage", route="direct")
    before = _v3_result(first, _v3_item())
    after = _v3_result(
        first,
        _v3_item(reach="control", route="direct", voluntary=True),
        kind="preservation",
        doctrine_authorities=["US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17"],
        deadlines={**before["deadlines"], "preservation_expires": "2024-06-03T04:00:00Z"},
    )
    changes = describe_changes(before, after)
    assert changes == [
        "request kind production → preservation",
        "doctrine rests on US-CLOUD-ACT-2018-03-23, US-SCOTUS-2018-04-17 (was US-CLOUD-ACT-2018-03-23)",
        "Holding 2 (traffic, CN): reach none → control; route mlat → direct; voluntary disclosure now permitted",
        "preservation expires 2024-06-03 04:00 UTC (new)",
    ]
    assert changes_in_words(changes[2:]) == (
        "Holding 2 (traffic, CN): reach none → control; route mlat → direct; voluntary disclosure now permitted; "
        "preservation expires 2024-06-03 04:00 UTC (new)."
    )


def test_describe_changes_words_conflicts_comity_deadlines_and_accounts():
    before = _v3_result(
        _v3_item(account="a", category="content", storage="IE", reach="control", route="direct", comity_motion=True),
        _v3_item(account="b", category="subscriber", storage="CH", reach="control", route="direct", voluntary=True),
        deadlines={
            "response_due": "2026-10-29T00:00:00Z",
            "comity_motion_due": "2026-11-05T05:00:00Z",
            "preservation_expires": None,
            "conflict_objection_due": None,
        },
    )
    after = _v3_result(
        _v3_item(account="a", category="content", storage="IE", reach="control", route="mlat", conflicts=["X-LAW"]),
        _v3_item(account="b", category="subscriber", storage="CH", reach="control", route="direct"),
        deadlines={
            "response_due": "2026-11-05T17:00:00Z",
            "comity_motion_due": None,
            "preservation_expires": None,
            "conflict_objection_due": "2026-11-30T00:00:00Z",
        },
    )
    assert describe_changes(before, after) == [
        "Holding 1 (a, content, IE): route direct → mlat; conflict X-LAW now in force; comity motion no longer "
        "available",
        "Holding 2 (b, subscriber, CH): voluntary disclosure no longer permitted",
        "response due 2026-10-29 00:00 UTC → 2026-11-05 17:00 UTC",
        "comity motion due: no longer (was 2026-11-05 05:00 UTC)",
        "reasoned objection (Art. 17) due 2026-11-30 00:00 UTC (new)",
    ]


def test_an_analysis_stored_before_v3_compares_without_spurious_changes():
    """Before v3 a result had no kind, authorities, `voluntary` or the two new deadlines:
    only what the new answer actually says counts as a change."""
    old = {
        "doctrine": "control-based",
        "items": [{k: v for k, v in _v3_item().items() if k != "voluntary"}],
        "deadlines": {"response_due": None, "comity_motion_due": None},
    }
    assert describe_changes(old, _v3_result(_v3_item())) == []
    assert describe_changes(old, _v3_result(_v3_item(voluntary=True))) == [
        "Holding 1 (traffic, CN): voluntary disclosure now permitted"
    ]
    assert answer_of(old)["kind"] == "production" and answer_of(old)["items"][0]["voluntary"] is None
    assert summarise(old)["kind"] == "production" and summarise(old)["voluntary"] == 0


def test_changes_in_words_says_how_many_more_past_the_limit():
    changes = [f"Holding {n} (content, IE): route direct → mlat" for n in range(1, 16)]
    text = changes_in_words(changes, limit=2)
    assert text == (
        "Holding 1 (content, IE): route direct → mlat; Holding 2 (content, IE): route direct → mlat; "
        "and 13 more changes (listed below)."
    )
    assert changes_in_words([]) == "Nothing in the answer changed."


@pytest.fixture
def preservation_case(catalogue):
    msft = EntityFactory(name="Microsoft Corporation")
    dublin = DataLocation.objects.create(name="Dublin", country_id="IE", operated_by=msft)
    from jurisdictions.models import Court

    demand = DemandFactory(
        reference="PRES-1",
        instrument=LegalInstrument.objects.get(code="US-SCA-PRESERVATION"),
        court=Court.objects.get(name="S.D.N.Y."),
        served_entity=msft,
        served_at=dt.datetime(2024, 3, 4, 15, 0, tzinfo=dt.UTC),
    )
    account = AccountFactory(demand=demand, identifier="target@example.com", us_person=None, residence=None)
    HoldingFactory(account=account, category="content", data_location=dublin, controlled_by=msft)
    return CaseFactory(demand=demand)


def test_a_preservations_expiry_is_a_deadline_of_its_case(preservation_case):
    """RULES.md §9.2's example: 90 days after 2024-03-04, 00:00 in New York."""
    analysis = analyse_case(case=preservation_case, as_of=dt.date(2024, 3, 4)).analysis
    assert analysis.result["kind"] == "preservation" and analysis.summary["kind"] == "preservation"
    assert analysis.result["deadlines"]["preservation_expires"] == "2024-06-03T04:00:00Z"
    deadline = Deadline.objects.get(case=preservation_case, state="open")
    assert deadline.kind == Deadline.Kind.PRESERVATION_EXPIRES and deadline.get_kind_display() == "Preservation expires"
    assert deadline.due_at == dt.datetime(2024, 6, 3, 4, 0, tzinfo=dt.UTC)
    assert deadline.computation["period"] == "US-2703F-PRESERVATION"

    # Extended once: the expiry moves, and the timeline says so in words.
    preservation_case.demand.extended = True
    preservation_case.demand.save()
    outcome = analyse_case(case=preservation_case, as_of=dt.date(2024, 3, 4))
    assert outcome.changes == ["preservation expires 2024-06-03 04:00 UTC → 2024-09-01 04:00 UTC"]
    event = CaseEvent.objects.filter(case=preservation_case, kind="analysis_changed").get()
    assert event.note.endswith("The answer changed: Preservation expires 2024-06-03 04:00 UTC → 2024-09-01 04:00 UTC.")
    moved = Deadline.objects.get(case=preservation_case, kind="preservation_expires", state="open")
    assert moved.due_at == dt.datetime(2024, 9, 1, 4, 0, tzinfo=dt.UTC)
    assert Deadline.objects.filter(case=preservation_case, state="superseded").count() == 1


def test_an_epo_conflicting_with_third_country_law_gets_the_objection_deadline(catalogue):
    msft = EntityFactory(name="Microsoft Corporation")
    ireland = EntityFactory(name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft)
    ireland.designated_for.add(msft)  # its legal representative in the EU (Directive (EU) 2023/1544)
    us = DataLocation.objects.create(name="Quincy", country_id="US", operated_by=msft)
    demand = DemandFactory(
        instrument=LegalInstrument.objects.get(code="EU-EPO"),
        issuing_jurisdiction_id="DE",
        court=None,
        served_entity=ireland,
        served_at=dt.datetime(2026, 11, 18, 14, 5, tzinfo=dt.UTC),
    )
    account = AccountFactory(demand=demand, us_person=False, residence_id="DE")
    HoldingFactory(account=account, category="content", data_location=us, controlled_by=msft)
    case = CaseFactory(demand=demand)
    result = analyse_case(case=case, as_of=dt.date(2026, 11, 18)).analysis.result
    assert result["items"][0]["conflicts"] == ["US-SCA-2702"]  # US law: a third country's
    due = result["deadlines"]["conflict_objection_due"]
    assert due is not None
    deadline = Deadline.objects.get(case=case, kind="conflict_objection", state="open")
    assert deadline.get_kind_display() == "Reasoned objection (Art. 17)"
    assert deadline.due_at == dt.datetime.fromisoformat(due)
