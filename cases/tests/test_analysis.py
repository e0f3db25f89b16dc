"""Analyses stored for cases: when they are made, what they record, what changes."""

import datetime as dt

import pytest

from cases.analysis import analyse_case, describe_changes
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
    assert CaseEvent.objects.get(case=warrant_case).kind == "analysed"


def test_same_answer_same_date_stores_nothing_new(warrant_case):
    first = analyse_case(case=warrant_case, as_of=dt.date(2014, 4, 25))
    again = analyse_case(case=warrant_case, as_of=dt.date(2014, 4, 25))
    assert not again.created and again.analysis == first.analysis
    assert Analysis.objects.filter(case=warrant_case).count() == 1


def test_changed_answer_records_what_changed(warrant_case):
    analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 13))
    outcome = analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14))
    assert outcome.changes == []  # no court: outside the Second Circuit, still control-based
    from jurisdictions.models import Court

    warrant_case.demand.court = Court.objects.get(name="S.D.N.Y.")
    warrant_case.demand.save()
    changed = analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14))
    assert "doctrine: control-based → storage-based" in changed.changes
    assert "target@example.com content stored in IE: route direct → mlat" in changed.changes
    event = CaseEvent.objects.filter(case=warrant_case, kind="analysis_changed").get()
    assert event.data["changes"] == changed.changes and event.occurred_on == dt.date(2016, 7, 14)


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
    assert "a content stored in CH: new holding, reach control, route direct" in changes
    assert "a content stored in IE: no longer a holding" in changes


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
