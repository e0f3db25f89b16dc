"""Counsel's decision on an emergency disclosure request (18 U.S.C. §2702(b)(8), (c)(4)):
the action, the case file's form, the export and the memo (issue 19)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from cases import export
from cases.actions import StaleCase
from cases.actions.disclosure import record_disclosure_decision
from cases.actions.intake import AccountToLog, log_demand
from cases.models import Case, CaseEvent, EmergencyDisclosureDecision
from jurisdictions.models import ControllingEntity, DataLocation, LegalInstrument
from requests_app.models import Demand, Holding, TargetAccount

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
DECISION = {
    "decision": "disclose",
    "basis": "Kidnapping in progress: the FBI says the victim's phone logged in to this account an hour ago.",
    "verification": "call_back",
    "verification_detail": "Called the FBI Seattle duty desk on its published number; SA Doe confirmed, 10:05 UTC.",
}


@pytest.fixture
def demo(catalogue):
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=io.StringIO())


def log(reference: str, by, **fields) -> Case:
    demand = Demand(
        reference=reference,
        instrument=LegalInstrument.objects.get(code=fields.pop("instrument", "US-SCA-SUBPOENA")),
        issuing_jurisdiction_id="US",
        issuing_authority="FBI Seattle",
        served_entity=ControllingEntity.objects.get(name="Microsoft Corporation"),
        received_at=NOW - dt.timedelta(hours=1),
        **fields,
    )
    place = DataLocation.objects.get(name="Quincy, Washington (US West)")
    accounts = [
        AccountToLog(
            account=TargetAccount(identifier="victim@example.com"),
            holdings=[Holding(category="content", data_location=place, controlled_by=demand.served_entity)],
        )
    ]
    with time_machine.travel(NOW, tick=False):
        return log_demand(demand=demand, accounts=accounts, by=by, via="in a test", as_of=[NOW.date()])


@pytest.fixture
def request_case(demo, counsel_user) -> Case:
    return log("EDR-2026-0001", counsel_user, request_kind="emergency_disclosure")


def decide(case: Case, by, **changes):
    case.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        return record_disclosure_decision(case=case, by=by, expected_version=case.version, **{**DECISION, **changes})


def test_counsel_records_a_decision_with_one_event(request_case, counsel_user):
    version = request_case.version
    row = decide(request_case, counsel_user)
    assert (row.decision, row.verification, row.decided_by) == ("disclose", "call_back", counsel_user)
    (event,) = CaseEvent.objects.filter(case=request_case, kind="disclosure_decided")
    assert event.data["decision"] == row.pk and "§2702(b)(8)" in event.citation and "Called the FBI" in event.note
    request_case.refresh_from_db()
    assert request_case.version == version + 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"basis": "  "}, "basis"),
        ({"verification": "psychic"}, "verification"),
        ({"verification_detail": ""}, "verification_detail"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(request_case, counsel_user, changes, field):
    with pytest.raises(ValidationError) as refused:
        decide(request_case, counsel_user, **changes)
    assert field in refused.value.message_dict
    assert not EmergencyDisclosureDecision.objects.exists()


def test_only_counsel_on_an_emergency_disclosure_request_with_its_version(
    request_case, demo, counsel_user, intake_user, viewer_user
):
    for user in (intake_user, viewer_user):
        with pytest.raises(PermissionDenied):
            decide(request_case, user)
    with pytest.raises(StaleCase), time_machine.travel(NOW, tick=False):
        record_disclosure_decision(case=request_case, by=counsel_user, expected_version=99, **DECISION)
    warrant = log("W-NOT-EDR", counsel_user, instrument="US-SCA-WARRANT")
    with pytest.raises(ValidationError) as refused:
        decide(warrant, counsel_user)
    assert "Only an emergency disclosure request" in refused.value.message_dict["case"][0]
    assert not EmergencyDisclosureDecision.objects.exists()


def test_the_case_file_form_export_and_memo(request_case, counsel_user, viewer_user):
    counsel, viewer = Client(), Client()
    counsel.force_login(counsel_user)
    viewer.force_login(viewer_user)
    url = f"/cases/{request_case.pk}/"
    page = counsel.get(url).content.decode()
    assert 'id="record-disclosure-decision"' in page and "Emergency disclosure request" in page
    assert 'id="record-disclosure-decision"' not in viewer.get(url).content.decode()
    posted = {f"disclosure-{k}": v for k, v in DECISION.items()}
    assert viewer.post(f"{url}disclosure-decision/", {**posted, "disclosure-version": 1}).status_code == 403
    missing = counsel.post(
        f"{url}disclosure-decision/", {**posted, "disclosure-basis": "", "disclosure-version": request_case.version}
    )
    assert missing.status_code == 422 and not EmergencyDisclosureDecision.objects.exists()
    stale = counsel.post(f"{url}disclosure-decision/", {**posted, "disclosure-version": request_case.version - 1})
    assert stale.status_code == 409
    with time_machine.travel(NOW, tick=False):
        done = counsel.post(f"{url}disclosure-decision/", {**posted, "disclosure-version": request_case.version})
    assert done.status_code == 302
    assert "Called the FBI Seattle duty desk" in counsel.get(url).content.decode()
    record = export.case_record(request_case.pk)
    (decision,) = record["request"]["disclosure_decisions"]
    assert (decision["decision"], decision["verification"], decision["decided_by"]) == (
        "disclose",
        "call_back",
        "carl.counsel",
    )
    memo = export.memo_html(record)
    assert "Emergency disclosure decision" in memo and "Call-back to a known number" in memo
