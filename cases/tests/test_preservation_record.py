"""Request kinds, preservation extended once and fulfilled by the demand that follows
it, its 14-day reminder and queue, and the case file's section (issue 19)."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cases import queues
from cases.actions import StaleCase
from cases.actions.intake import AccountToLog, chosen_kind_error, log_demand
from cases.actions.preservation import extend_preservation, open_expiry, request_record
from cases.models import Case, CaseEvent, Deadline, Notification, ReminderKind
from jurisdictions.models import ControllingEntity, DataLocation, LegalInstrument
from requests_app.models import Demand, Holding, RequestKind, TargetAccount

PRESERVATION = "PRES-WDWA-2026-0311"  # US-SCA-PRESERVATION served 2026-11-24 17:00 UTC on Microsoft Corporation
WARRANT = "13-MAG-2814"
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def demo(catalogue):
    with time_machine.travel(NOW, tick=False):
        call_command("load_demo", stdout=io.StringIO())


def case_of(reference: str) -> Case:
    return Case.objects.select_related("demand__instrument").get(demand__reference=reference)


def new_demand(reference: str, *, instrument="US-SCA-WARRANT", entity="Microsoft Corporation", **fields) -> Demand:
    return Demand(
        reference=reference,
        instrument=LegalInstrument.objects.get(code=instrument),
        issuing_jurisdiction_id=fields.pop("issuer", "US"),
        issuing_authority="FBI Seattle",
        served_entity=ControllingEntity.objects.get(name=entity),
        served_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
        **fields,
    )


def one_account() -> list[AccountToLog]:
    place = DataLocation.objects.get(name="Quincy, Washington (US West)")
    entity = ControllingEntity.objects.get(name="Microsoft Corporation")
    return [
        AccountToLog(
            account=TargetAccount(identifier="preserve.me@example.com"),
            holdings=[Holding(category="content", data_location=place, controlled_by=entity)],
        )
    ]


def log(demand: Demand, by) -> Case:
    with time_machine.travel(NOW, tick=False):
        return log_demand(demand=demand, accounts=one_account(), by=by, via="in a test", as_of=[NOW.date()])


# --- Request kinds at intake ---------------------------------------------------------------


def test_a_preservation_instrument_makes_a_preservation_request(demo):
    assert case_of(PRESERVATION).demand.request_kind == RequestKind.PRESERVATION
    assert case_of(WARRANT).demand.request_kind == RequestKind.COMPULSORY


def test_a_chosen_kind_that_does_not_fit_the_instrument_is_refused(demo, counsel_user):
    preservation = LegalInstrument.objects.get(code="US-SCA-PRESERVATION")
    assert "preservation instrument" in chosen_kind_error(preservation, "compulsory")
    assert chosen_kind_error(preservation, "") is None and chosen_kind_error(preservation, "preservation") is None
    with pytest.raises(ValidationError) as refused:
        log(new_demand("W-PRES-KIND", request_kind=RequestKind.PRESERVATION), counsel_user)
    assert "request_kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        log(new_demand("P-EDR", instrument="US-SCA-PRESERVATION", request_kind="emergency_disclosure"), counsel_user)
    assert "request_kind" in refused.value.message_dict
    assert not Demand.objects.filter(reference__in=["W-PRES-KIND", "P-EDR"]).exists()  # nothing half written


def test_an_emergency_disclosure_request_is_an_emergency_for_a_us_provider_only(demo, counsel_user):
    case = log(
        new_demand("EDR-2026-1", instrument="US-SCA-SUBPOENA", request_kind="emergency_disclosure"), counsel_user
    )
    assert case.demand.request_kind == RequestKind.EMERGENCY_DISCLOSURE and case.demand.emergency
    assert Notification.objects.filter(case=case, kind=ReminderKind.EMERGENCY).exists()
    with pytest.raises(ValidationError) as refused:
        log(
            new_demand(
                "EDR-2026-2",
                instrument="US-SCA-SUBPOENA",
                entity="Microsoft Limited",
                request_kind="emergency_disclosure",
            ),
            counsel_user,
        )
    assert "US provider" in refused.value.message_dict["request_kind"][0]


# --- Extension -------------------------------------------------------------------------------


def test_counsel_extends_a_preservation_once_and_the_engine_moves_its_expiry(demo, counsel_user):
    case = case_of(PRESERVATION)
    before = open_expiry(case)
    # 90 days following the day of service (2026-11-24), to the end of the day in Seattle.
    assert before.due_at == dt.datetime(2027, 2, 23, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(NOW, tick=False):
        event = extend_preservation(
            case=case, received_on=NOW.date(), note="FBI renewed", by=counsel_user, expected_version=case.version
        )
    assert event.kind == "preservation_extended" and event.data["previous_expiry"] == before.due_at.isoformat()
    after = open_expiry(case)
    assert after.due_at == dt.datetime(2027, 5, 24, 7, 0, tzinfo=dt.UTC)  # 180 days (summer time)
    assert event.data["expires"] == after.due_at.isoformat()
    before.refresh_from_db()
    assert before.state == Deadline.State.SUPERSEDED
    case.refresh_from_db()
    assert case.demand.extended and CaseEvent.objects.filter(case=case, kind="preservation_extended").count() == 1
    with pytest.raises(ValidationError) as refused, time_machine.travel(NOW, tick=False):
        extend_preservation(case=case, received_on=NOW.date(), by=counsel_user, expected_version=case.version)
    assert "already extended" in refused.value.message_dict["case"][0]


def test_extension_is_refused_for_others_stale_versions_and_other_kinds(demo, counsel_user, viewer_user):
    case = case_of(PRESERVATION)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(PermissionDenied):
            extend_preservation(case=case, received_on=NOW.date(), by=viewer_user, expected_version=case.version)
        with pytest.raises(StaleCase):
            extend_preservation(case=case, received_on=NOW.date(), by=counsel_user, expected_version=case.version - 1)
    warrant = log(new_demand("W-NOT-PRES"), counsel_user)
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(ValidationError) as refused:
            extend_preservation(case=warrant, received_on=NOW.date(), by=counsel_user, expected_version=warrant.version)
    assert "Only a preservation" in refused.value.message_dict["case"][0]
    assert not case_of(PRESERVATION).demand.extended


def test_a_renewal_after_expiry_extends_nothing(demo, counsel_user):
    case = case_of(PRESERVATION)
    late = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(late, tick=False), pytest.raises(ValidationError) as refused:
        extend_preservation(case=case, received_on=late.date(), by=counsel_user, expected_version=case.version)
    assert "expired at 2027-02-23 08:00 UTC" in refused.value.message_dict["received_on"][0]


# --- The demand that follows it --------------------------------------------------------------


def test_the_warrant_that_follows_a_preservation_fulfils_it(demo, counsel_user):
    preservation = case_of(PRESERVATION)
    expiry = open_expiry(preservation)
    version = preservation.version
    warrant = log(new_demand("W-AFTER-PRES", follows_preservation=preservation.demand), counsel_user)
    assert warrant.demand.follows_preservation_id == preservation.demand_id
    (fulfilled,) = CaseEvent.objects.filter(case=preservation, kind="preservation_fulfilled")
    assert fulfilled.data["reference"] == "W-AFTER-PRES" and fulfilled.data["deadlines_met"] == [expiry.pk]
    expiry.refresh_from_db()
    assert expiry.state == Deadline.State.MET
    preservation.refresh_from_db()
    assert preservation.version == version + 1 and not preservation.is_closed
    assert request_record(preservation.demand)["followed_by"] == ["W-AFTER-PRES"]
    assert request_record(warrant.demand)["follows_preservation"] == PRESERVATION
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as refused:
        extend_preservation(
            case=preservation, received_on=NOW.date(), by=counsel_user, expected_version=preservation.version
        )
    assert "fulfilled" in refused.value.message_dict["case"][0]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"entity": "Microsoft Limited", "issuer": "US"}, "another entity"),
        ({"instrument": "US-SCA-PRESERVATION"}, "follows no other preservation"),
    ],
)
def test_a_demand_follows_only_a_preservation_of_the_same_entity(demo, counsel_user, changes, words):
    preservation = case_of(PRESERVATION).demand
    with pytest.raises(ValidationError) as refused:
        log(new_demand("W-BAD-FOLLOW", follows_preservation=preservation, **changes), counsel_user)
    assert words in " ".join(refused.value.message_dict["follows_preservation"])


def test_a_demand_cannot_follow_a_compulsory_demand(demo, counsel_user):
    with pytest.raises(ValidationError) as refused:
        log(new_demand("W-FOLLOWS-W", follows_preservation=case_of(WARRANT).demand), counsel_user)
    assert "not a preservation request" in refused.value.message_dict["follows_preservation"][0]


# --- Reminder and queue ---------------------------------------------------------------------


def test_a_preservation_expiry_is_reminded_of_14_days_ahead(demo, counsel_user):
    expiry = open_expiry(case_of(PRESERVATION))
    for days, reminded in ((15, False), (13, True)):
        now = expiry.due_at - dt.timedelta(days=days)
        due = Deadline.objects.needing_reminder(now=now)
        assert (expiry.pk in {d.pk for d in due}) is reminded
        if reminded:
            assert {d.reminder_kind for d in due if d.pk == expiry.pk} == {ReminderKind.DUE_IN_72H}
    response = Deadline.objects.filter(kind=Deadline.Kind.RESPONSE, state="open").first()
    if response is not None:  # a response deadline still waits for its 72 hours
        now = response.due_at - dt.timedelta(days=13)
        assert response.pk not in {d.pk for d in Deadline.objects.needing_reminder(now=now)}


def test_the_reminder_says_14_days(demo, counsel_user):
    from cases.actions.reminders import remind_of_deadline

    expiry = open_expiry(case_of(PRESERVATION))
    (notice,) = remind_of_deadline(deadline=expiry, kind=ReminderKind.DUE_IN_72H)
    assert "within 14 days" in notice.message


def test_the_preservation_expiring_queue(demo, counsel_user):
    case = case_of(PRESERVATION)
    expiry = open_expiry(case)
    queue = queues.QUEUES["preservation_expiring"]
    for days, listed in ((20, False), (10, True), (-1, False)):
        now = expiry.due_at - dt.timedelta(days=days)
        found = set(Case.objects.filter(queue.of(counsel_user, now)).values_list("pk", flat=True))
        assert (case.pk in found) is listed
    assert queues.counts(counsel_user, expiry.due_at - dt.timedelta(days=10))["preservation_expiring"] == 1


# --- The case file ---------------------------------------------------------------------------


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_case_file_shows_the_kind_and_offers_counsel_the_extension(demo, counsel_user, viewer_user):
    case = case_of(PRESERVATION)
    body = page_client(counsel_user).get(f"/cases/{case.pk}/").content.decode()
    assert 'id="preservation"' in body and "Preservation request" in body and 'id="extend-preservation"' in body
    viewer = page_client(viewer_user).get(f"/cases/{case.pk}/").content.decode()
    assert "Preservation request" in viewer and 'id="extend-preservation"' not in viewer


def test_counsel_extends_from_the_case_file_and_the_viewer_is_refused(demo, counsel_user, viewer_user):
    case = case_of(PRESERVATION)
    url = f"/cases/{case.pk}/extend-preservation/"
    data = {"extend-version": case.version, "extend-received_on": "2026-12-07", "extend-note": "renewed"}
    assert page_client(viewer_user).post(url, data).status_code == 403
    with time_machine.travel(NOW, tick=False):
        stale = page_client(counsel_user).post(url, {**data, "extend-version": case.version - 1})
        assert stale.status_code == 409
        response = page_client(counsel_user).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert case_of(PRESERVATION).demand.extended
    with time_machine.travel(NOW, tick=False):
        again = page_client(counsel_user).post(url, {**data, "extend-version": case_of(PRESERVATION).version})
    assert again.status_code == 422 and "already extended" in again.content.decode()


def test_both_case_files_show_the_link(demo, counsel_user):
    preservation = case_of(PRESERVATION)
    warrant = log(new_demand("W-AFTER-PRES", follows_preservation=preservation.demand), counsel_user)
    client = page_client(counsel_user)
    followed = client.get(f"/cases/{preservation.pk}/").content.decode()
    assert "W-AFTER-PRES" in followed and "Fulfilled" in followed
    follows = client.get(f"/cases/{warrant.pk}/").content.decode()
    assert 'id="follows-preservation"' in follows and PRESERVATION in follows


def test_the_export_and_memo_carry_the_kind(demo, counsel_user):
    case = case_of(PRESERVATION)
    record = page_client(counsel_user).get(f"/cases/{case.pk}/export.json").json()
    assert record["request"] == {
        "kind": "preservation",
        "kind_label": "Preservation request",
        "follows_preservation": None,
        "extended": False,
        "followed_by": [],
    }
    from cases import export

    assert "Preservation request" in export.memo_html(export.case_record(case.pk))
    assert timezone.now()  # the memo renders without the request


# --- The intake page --------------------------------------------------------------------------


def intake_form(**overrides) -> dict:
    entity = ControllingEntity.objects.get(name="Microsoft Corporation")
    place = DataLocation.objects.get(name="Quincy, Washington (US West)")
    data = {
        "reference": "PAGE-PRES-1",
        "time_zone": "UTC",
        "instrument": "US-SCA-PRESERVATION",
        "issuing_jurisdiction": "US",
        "issuing_authority": "FBI Seattle",
        "court": "",
        "served_entity": entity.pk,
        "served_at": "2026-12-01T09:00",
        "received_at": "",
        "due_at": "",
        "request_kind": "",
        "follows_preservation": "",
        "accounts-TOTAL_FORMS": "1",
        "accounts-INITIAL_FORMS": "0",
        "accounts-0-identifier": "preserve.me@example.com",
        "accounts-0-holdings-TOTAL_FORMS": "1",
        "accounts-0-holdings-INITIAL_FORMS": "0",
        "accounts-0-holdings-0-category": "content",
        "accounts-0-holdings-0-data_location": place.pk,
        "accounts-0-holdings-0-controlled_by": entity.pk,
    }
    return {**data, **overrides}


def test_the_intake_page_sets_the_kind_and_refuses_a_mismatch_next_to_it(demo, intake_user):
    client = page_client(intake_user)
    form = client.get("/demands/new/").content.decode()
    assert 'name="request_kind"' in form and 'name="follows_preservation"' in form
    with time_machine.travel(NOW, tick=False):
        refused = client.post("/demands/new/", intake_form(request_kind="compulsory"))
        assert refused.status_code in (200, 422)
        assert refused.context["intake"].demand.errors["request_kind"]
        assert not Demand.objects.filter(reference="PAGE-PRES-1").exists()
        wrong = client.post(
            "/demands/new/",
            intake_form(
                reference="PAGE-W-1", instrument="US-SCA-WARRANT", follows_preservation=case_of(WARRANT).demand_id
            ),
        )
        assert wrong.context["intake"].demand.errors["follows_preservation"]
        logged = client.post("/demands/new/", intake_form())
    assert logged.status_code == 302
    assert Demand.objects.get(reference="PAGE-PRES-1").request_kind == RequestKind.PRESERVATION
