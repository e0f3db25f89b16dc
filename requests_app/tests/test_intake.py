"""The intake page: who may use it, what it saves, and what it refuses (saving nothing)."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Analysis, Case, CaseEvent
from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount
from tests.security.pdfs import clean_pdf

URL = reverse("demands:new")
PDF = clean_pdf()  # a real one-page PDF: uploads are parsed, not only sniffed


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(content: bytes = PDF, name: str = "warrant.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def payload(data_map, **overrides) -> dict:
    """A valid intake: two accounts, three holdings, a nondisclosure order."""
    m = data_map
    data = {
        "reference": "13-MAG-2814",
        "time_zone": "UTC",
        "instrument": "US-SCA-WARRANT",
        "issuing_jurisdiction": "US",
        "issuing_authority": "U.S. Attorney, S.D.N.Y.",
        "court": "",
        "served_entity": m["msft"].pk,
        "served_at": "2026-11-02T09:00",
        "received_at": "2026-11-02T10:30",
        "due_at": "",
        "ndo-basis": "18 U.S.C. §2705(b)",
        "ndo-starts_on": "2026-11-02",
        "ndo-expires_on": "2027-11-02",
        "accounts-TOTAL_FORMS": "2",
        "accounts-INITIAL_FORMS": "0",
        "accounts-MIN_NUM_FORMS": "1",
        "accounts-MAX_NUM_FORMS": "50",
        "accounts-0-identifier": "target@example.com",
        "accounts-0-service": "Outlook.com",
        "accounts-0-us_person": "no",
        "accounts-0-residence": "IE",
        "accounts-0-holdings-TOTAL_FORMS": "2",
        "accounts-0-holdings-INITIAL_FORMS": "0",
        "accounts-0-holdings-0-category": "content",
        "accounts-0-holdings-0-data_location": m["dublin"].pk,
        "accounts-0-holdings-0-controlled_by": m["msft"].pk,
        "accounts-0-holdings-1-category": "subscriber",
        "accounts-0-holdings-1-data_location": m["quincy"].pk,
        "accounts-0-holdings-1-controlled_by": m["msft"].pk,
        "accounts-1-identifier": "other@example.com",
        "accounts-1-service": "",
        "accounts-1-us_person": "",
        "accounts-1-residence": "",
        "accounts-1-holdings-TOTAL_FORMS": "1",
        "accounts-1-holdings-INITIAL_FORMS": "0",
        "accounts-1-holdings-0-category": "content",
        "accounts-1-holdings-0-data_location": "",
        "accounts-1-holdings-0-controlled_by": m["ireland"].pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_nothing_written():
    assert Demand.objects.count() == 0
    assert TargetAccount.objects.count() == 0
    assert Holding.objects.count() == 0
    assert NondisclosureOrder.objects.count() == 0
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


# --------------------------------------------------------------------------- roles


@pytest.mark.parametrize("persona", ["intake_user", "counsel_user"])
def test_intake_and_counsel_see_the_page(client, request, persona, data_map):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="accounts-0-identifier"' in body and 'name="accounts-0-holdings-0-controlled_by"' in body
    assert 'id="location-operators"' in body and "Microsoft Ireland Operations Limited" in body


@pytest.mark.parametrize("persona", ["viewer_user", "api_user", "outsider_user"])
def test_other_roles_are_refused(client, request, persona, data_map):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, payload(data_map)).status_code == 403
    assert client.get(reverse("demands:account_form"), {"accounts-TOTAL_FORMS": "1"}).status_code == 403
    assert client.get(reverse("demands:holding_form", args=[0])).status_code == 403
    assert_nothing_written()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_nav_shows_log_a_demand_only_to_roles_that_may(client, intake_user, viewer_user, catalogue):
    client.force_login(intake_user)
    assert URL in client.get(reverse("cases:list")).content.decode()
    client.force_login(viewer_user)
    assert URL not in client.get(reverse("cases:list")).content.decode()


# ---------------------------------------------------------------------------- save


def test_valid_intake_saves_everything_and_analyses_after_commit(
    client, intake_user, data_map, django_capture_on_commit_callbacks
):
    client.force_login(intake_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, {**payload(data_map), "document": pdf()})
    demand = Demand.objects.get()
    case = Case.objects.get(demand=demand)
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    assert demand.created_by == intake_user and demand.instrument.code == "US-SCA-WARRANT"
    assert demand.document.read().startswith(b"%PDF-")
    assert demand.received_at == dt.datetime(2026, 11, 2, 10, 30, tzinfo=dt.UTC)
    accounts = list(demand.accounts.order_by("pk"))
    assert [a.identifier for a in accounts] == ["target@example.com", "other@example.com"]
    assert [a.us_person for a in accounts] == [False, None]
    assert accounts[0].residence_id == "IE" and accounts[1].residence_id is None
    assert Holding.objects.filter(account__demand=demand).count() == 3
    unknown = Holding.objects.get(account=accounts[1])
    assert unknown.data_location is None and unknown.controlled_by == data_map["ireland"]
    ndo = NondisclosureOrder.objects.get(demand=demand)
    assert (ndo.basis, ndo.expires_on) == ("18 U.S.C. §2705(b)", dt.date(2027, 11, 2))
    assert case.counsel is None
    assert CaseEvent.objects.filter(case=case, kind="demand_logged").exists()
    # One analysis enqueued for the case, after the commit (not once per holding).
    assert len(callbacks) >= 1
    analysis = Analysis.objects.get(case=case)
    assert len(analysis.result["items"]) == 3


def test_intake_without_ndo_or_document(client, counsel_user, data_map):
    client.force_login(counsel_user)
    data = payload(data_map, **{"ndo-basis": "", "ndo-starts_on": "", "ndo-expires_on": ""})
    response = client.post(URL, data)
    assert response.status_code == 302
    assert NondisclosureOrder.objects.count() == 0 and not Demand.objects.get().document


def test_added_blank_account_is_ignored(client, intake_user, data_map):
    client.force_login(intake_user)
    data = payload(
        data_map,
        **{
            "accounts-TOTAL_FORMS": "3",
            "accounts-2-identifier": "",
            "accounts-2-us_person": "",
            "accounts-2-holdings-TOTAL_FORMS": "1",
            "accounts-2-holdings-INITIAL_FORMS": "0",
        },
    )
    assert client.post(URL, data).status_code == 302
    assert TargetAccount.objects.count() == 2


def test_times_are_read_in_the_zone_picked_and_stored_in_utc(client, intake_user, data_map):
    client.force_login(intake_user)
    data = payload(data_map, time_zone="America/Los_Angeles", due_at="2026-11-16T17:00")
    assert client.post(URL, data).status_code == 302
    demand = Demand.objects.get()
    assert demand.served_at == dt.datetime(2026, 11, 2, 17, 0, tzinfo=dt.UTC)  # 09:00 PST
    assert demand.received_at == dt.datetime(2026, 11, 2, 18, 30, tzinfo=dt.UTC)
    assert demand.due_at == dt.datetime(2026, 11, 17, 1, 0, tzinfo=dt.UTC)


def test_without_a_zone_times_are_utc(client, intake_user, data_map):
    # No zone picked and no court: UTC (with a court, its zone: test_process_any_country.py).
    client.force_login(intake_user)
    assert client.post(URL, payload(data_map, time_zone=None)).status_code == 302
    assert Demand.objects.get().served_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    assert client.post(URL, payload(data_map, reference="UTC-2", time_zone="UTC")).status_code == 302
    assert Demand.objects.get(reference="UTC-2").served_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def test_a_time_that_does_not_exist_in_the_zone_is_refused(client, intake_user, data_map):
    # 02:30 on 2027-03-14 is skipped in Los Angeles (clocks go from 02:00 to 03:00).
    data = payload(data_map, time_zone="America/Los_Angeles", served_at="2027-03-14T02:30", received_at="")
    response = _refused(client, intake_user, data)
    assert "served_at" in response.context["intake"].demand.errors


def test_a_refused_form_keeps_the_pdf(client, intake_user, data_map):
    # It used to ask to attach the PDF again; it is kept now (test_process_any_country.py).
    client.force_login(intake_user)
    refused = client.post(URL, {**payload(data_map, received_at="2026-11-01T00:00"), "document": pdf()})
    assert refused.status_code == 422
    assert "<strong>warrant.pdf</strong> (kept)" in refused.content.decode()


def test_the_message_says_whether_the_analysis_is_done(client, intake_user, data_map):
    client.force_login(intake_user)
    # In a test transaction nothing commits, so the analysis (run after commit) is not done yet.
    pending = client.post(URL, payload(data_map), follow=True)
    assert "Demand 13-MAG-2814 logged; its analysis appears below when it is done." in pending.content.decode()


@pytest.mark.django_db(transaction=True)
def test_with_in_process_tasks_it_is_analysed_on_arrival(client, intake_user, data_map):
    client.force_login(intake_user)
    saved = client.post(URL, payload(data_map), follow=True)
    assert "Demand 13-MAG-2814 logged and analysed." in saved.content.decode()


def test_a_served_time_in_the_future_is_refused(client, intake_user, data_map):
    data = payload(data_map, served_at="2099-06-01T09:00", received_at="")
    response = _refused(client, intake_user, data)
    assert response.context["intake"].demand.errors["served_at"] == [
        "2099-06-01 09:00 UTC is in the future: check the date."
    ]


def test_an_unknown_zone_is_refused_next_to_its_field(client, intake_user, data_map):
    response = _refused(client, intake_user, payload(data_map, time_zone="Mars/Olympus_Mons"))
    assert "time_zone" in response.context["intake"].demand.errors


def test_a_removed_account_is_left_out_even_when_filled_in_or_invalid(client, intake_user, data_map):
    client.force_login(intake_user)
    # The second account is removed: its holding names no controller (invalid) and it
    # does not matter; a removed holding of the first account is left out too.
    data = payload(
        data_map,
        **{
            "accounts-1-DELETE": "on",
            "accounts-1-holdings-0-controlled_by": "",
            "accounts-0-holdings-1-DELETE": "on",
        },
    )
    assert client.post(URL, data).status_code == 302
    assert list(TargetAccount.objects.values_list("identifier", flat=True)) == ["target@example.com"]
    assert list(Holding.objects.values_list("category", flat=True)) == ["content"]


def test_removing_the_first_account_keeps_the_second(client, intake_user, data_map):
    client.force_login(intake_user)
    assert client.post(URL, payload(data_map, **{"accounts-0-DELETE": "on"})).status_code == 302
    assert list(TargetAccount.objects.values_list("identifier", flat=True)) == ["other@example.com"]


def test_the_error_count_leaves_out_removed_forms(client, intake_user, data_map):
    data = payload(
        data_map,
        **{"accounts-1-DELETE": "on", "accounts-1-holdings-0-controlled_by": "", "received_at": "2026-11-01T00:00"},
    )
    response = _refused(client, intake_user, data)
    assert "correct the 1 problem marked below" in response.content.decode()


def test_removing_every_account_is_refused(client, intake_user, data_map):
    data = payload(data_map, **{"accounts-0-DELETE": "on", "accounts-1-DELETE": "on"})
    response = _refused(client, intake_user, data)
    assert "Name at least one target account." in response.content.decode()


def test_removing_every_holding_of_an_account_is_refused(client, intake_user, data_map):
    data = payload(data_map, **{"accounts-1-holdings-0-DELETE": "on"})
    response = _refused(client, intake_user, data)
    assert "List at least one holding for this account." in response.content.decode()


def test_added_forms_come_with_their_remove_box(client, intake_user):
    client.force_login(intake_user)
    account = client.get(reverse("demands:account_form"), {"accounts-TOTAL_FORMS": "1"}).content.decode()
    assert 'name="accounts-1-DELETE"' in account and "Remove this account" in account
    holding = client.get(
        reverse("demands:holding_form", args=[1]), {"accounts-1-holdings-TOTAL_FORMS": "1"}
    ).content.decode()
    assert 'name="accounts-1-holdings-1-DELETE"' in holding


# -------------------------------------------------------------------------- refusals


def _refused(client, user, data, files=None):
    client.force_login(user)
    response = client.post(URL, {**data, **(files or {})})
    assert response.status_code == 422
    assert "Nothing was saved" in response.content.decode()
    assert_nothing_written()
    return response


def test_bad_pdf_is_refused_by_content(client, intake_user, data_map):
    response = _refused(client, intake_user, payload(data_map), {"document": pdf(b"MZ\x90\x00 not a pdf", "x.pdf")})
    errors = response.context["intake"].demand.errors["document"]
    assert errors == ["The document is not a PDF: its content does not start with %PDF-."]


def test_pdf_over_10_mb_is_refused(client, intake_user, data_map):
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = _refused(client, intake_user, payload(data_map), {"document": pdf(big)})
    assert "the limit is 10 MB" in response.context["intake"].demand.errors["document"][0]


def test_non_pdf_extension_is_refused(client, intake_user, data_map):
    response = _refused(client, intake_user, payload(data_map), {"document": pdf(PDF, "warrant.exe")})
    assert "document" in response.context["intake"].demand.errors


def test_missing_holding_controller_is_refused_next_to_the_field(client, intake_user, data_map):
    data = payload(data_map, **{"accounts-1-holdings-0-controlled_by": ""})
    response = _refused(client, intake_user, data)
    holding = response.context["intake"].holdings[1].forms[0]
    assert holding.errors["controlled_by"] == ["Which entity controls this data? Pick the controller."]
    body = response.content.decode()
    assert "Pick the controller." in body


def test_unknown_instrument_is_refused(client, intake_user, data_map):
    response = _refused(client, intake_user, payload(data_map, instrument="US-NO-SUCH-WRIT"))
    assert response.context["intake"].demand.errors["instrument"] == [
        "Unknown instrument: pick one from the catalogue."
    ]


def test_received_before_served_is_refused(client, intake_user, data_map):
    data = payload(data_map, served_at="2026-11-02T09:00", received_at="2026-11-01T09:00")
    response = _refused(client, intake_user, data)
    assert response.context["intake"].demand.errors["received_at"] == [
        "Received before it was served: check both times."
    ]


def test_duplicate_account_is_refused(client, intake_user, data_map):
    response = _refused(client, intake_user, payload(data_map, **{"accounts-1-identifier": "target@example.com"}))
    assert response.context["intake"].accounts.forms[1].errors["identifier"] == ["This account is already listed."]


def test_duplicate_holding_is_refused(client, intake_user, data_map):
    data = payload(
        data_map,
        **{"accounts-0-holdings-1-category": "content", "accounts-0-holdings-1-data_location": data_map["dublin"].pk},
    )
    response = _refused(client, intake_user, data)
    assert "already listed" in str(response.context["intake"].holdings[0].forms[1].errors)


def test_account_without_holding_is_refused(client, intake_user, data_map):
    data = payload(
        data_map,
        **{
            "accounts-1-holdings-0-category": "",
            "accounts-1-holdings-0-controlled_by": "",
        },
    )
    response = _refused(client, intake_user, data)
    assert response.context["intake"].holdings[1].forms[0].errors


def test_no_account_is_refused(client, intake_user, data_map):
    data = {k: v for k, v in payload(data_map).items() if not k.startswith("accounts-1")}
    data.update({"accounts-TOTAL_FORMS": "1", "accounts-0-identifier": ""})
    response = _refused(client, intake_user, data)
    assert response.context["intake"].accounts.forms[0].errors["identifier"]


def test_ndo_without_start_is_refused(client, intake_user, data_map):
    response = _refused(client, intake_user, payload(data_map, **{"ndo-starts_on": "", "ndo-expires_on": ""}))
    assert response.context["intake"].ndo.errors["starts_on"]


def test_ndo_expiring_before_start_is_refused(client, intake_user, data_map):
    response = _refused(client, intake_user, payload(data_map, **{"ndo-expires_on": "2026-01-01"}))
    assert response.context["intake"].ndo.errors["expires_on"]


def test_duplicate_reference_is_refused(client, intake_user, data_map):
    client.force_login(intake_user)
    assert client.post(URL, payload(data_map)).status_code == 302
    response = client.post(URL, payload(data_map))
    assert response.status_code == 422 and response.context["intake"].demand.errors["reference"]
    assert Demand.objects.count() == 1 and TargetAccount.objects.count() == 2


def test_a_reference_differing_only_in_case_or_spaces_is_the_same(client, intake_user, data_map):
    client.force_login(intake_user)
    assert client.post(URL, payload(data_map)).status_code == 302
    case = Case.objects.get()
    response = client.post(URL, payload(data_map, reference="  13-mag-2814 "))
    assert response.status_code == 422
    assert response.context["intake"].demand.errors["reference"] == [
        f'A demand with reference 13-MAG-2814 is already logged: <a href="/cases/{case.pk}/">case {case.pk}</a>.'
    ]
    assert Demand.objects.count() == 1


def test_the_database_refuses_a_reference_differing_only_in_case(data_map):
    from django.db import IntegrityError, transaction

    from tests.factories import DemandFactory

    DemandFactory(reference="TEST-2026-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        DemandFactory(reference="test-2026-001")


# ------------------------------------------------------------------- htmx partials


def test_add_account_returns_an_empty_account_and_bumps_the_count(client, intake_user, data_map):
    client.force_login(intake_user)
    response = client.get(
        reverse("demands:account_form"), {"accounts-TOTAL_FORMS": "2"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="accounts-2-identifier"' in body and 'name="accounts-2-holdings-0-category"' in body
    assert 'id="id_accounts-TOTAL_FORMS"' in body and 'value="3"' in body and 'hx-swap-oob="true"' in body
    assert "<html" not in body


def test_add_holding_returns_an_empty_holding_and_bumps_the_count(client, intake_user, data_map):
    client.force_login(intake_user)
    url = reverse("demands:holding_form", args=[1])
    response = client.get(url, {"accounts-1-holdings-TOTAL_FORMS": "4"})
    body = response.content.decode()
    assert 'name="accounts-1-holdings-4-controlled_by"' in body
    assert 'id="id_accounts-1-holdings-TOTAL_FORMS"' in body and 'value="5"' in body


@pytest.mark.parametrize("value", ["", "x", "-1", "999"])
def test_add_account_rejects_bad_indexes(client, intake_user, data_map, value):
    client.force_login(intake_user)
    assert client.get(reverse("demands:account_form"), {"accounts-TOTAL_FORMS": value}).status_code == 404


# ------------------------------------------------------------------------ document


@pytest.fixture
def demand_with_document(client, intake_user, data_map):
    client.force_login(intake_user)
    client.post(URL, {**payload(data_map), "document": pdf()})
    client.logout()
    return Demand.objects.get()


@pytest.mark.parametrize("persona", ["intake_user", "counsel_user", "viewer_user"])
def test_document_is_served_to_the_legal_team(client, request, persona, demand_with_document):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("demands:document", args=[demand_with_document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("persona", ["api_user", "outsider_user"])
def test_document_is_refused_to_others(client, request, persona, demand_with_document):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("demands:document", args=[demand_with_document.pk])).status_code == 403


def test_document_is_not_public(client, demand_with_document, settings):
    response = client.get(reverse("demands:document", args=[demand_with_document.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # Nothing serves MEDIA_URL: the file's own path is not reachable either.
    response = client.get("/" + settings.MEDIA_URL + demand_with_document.document.name)
    assert response.status_code in (302, 404)


def test_missing_document_is_404(client, viewer_user, data_map, intake_user):
    client.force_login(intake_user)
    client.post(URL, payload(data_map))
    client.force_login(viewer_user)
    assert client.get(reverse("demands:document", args=[Demand.objects.get().pk])).status_code == 404


# ------------------------------------------------------ RULES.md v3: kinds, issuers


def test_the_instrument_choice_shows_each_kind_and_who_may_issue_it(client, intake_user, data_map):
    client.force_login(intake_user)
    body = client.get(URL).content.decode()
    assert "US-SCA-PRESERVATION — Preservation request (preservation)" in body
    assert "US-SCA-WARRANT — Warrant (production)" in body
    # The browser limits the issuer to the instrument's (static/js/intake.js); the server checks.
    assert re.search(r'<option value="US-SCA-PRESERVATION" data-kind="preservation" data-issuers="US"', body)
    epo = re.search(r'<option value="EU-EPO" data-kind="production" data-issuers="([A-Z ]+)"', body)
    assert epo and "DE" in epo.group(1).split() and "DK" not in epo.group(1).split()
    assert re.search(r'<option value="IN-BNSS-94" [^>]*data-pending="1"', body)
    assert 'data-field="extended"' in body and 'data-field="pending_since"' in body
    assert 'select name="issuing_jurisdiction" data-role="issuer"' in body


def test_a_preservation_request_is_logged_extended_and_its_expiry_is_a_deadline(
    client, intake_user, data_map, django_capture_on_commit_callbacks
):
    client.force_login(intake_user)
    data = payload(data_map, instrument="US-SCA-PRESERVATION", extended="on", **{"ndo-basis": "", "ndo-starts_on": ""})
    data.pop("ndo-expires_on")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    demand = Demand.objects.get()
    assert demand.extended and demand.instrument.kind == "preservation" and demand.pending_since is None
    analysis = Analysis.objects.get(case__demand=demand)
    assert analysis.result["kind"] == "preservation"
    expiry = demand.case.deadlines.get(kind="preservation_expires", state="open")
    assert expiry.due_at.isoformat().replace("+00:00", "Z") == analysis.result["deadlines"]["preservation_expires"]
    assert not demand.case.deadlines.filter(kind="response").exists()  # a preservation has no response period


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"issuing_jurisdiction": "IE"}, "issuing_jurisdiction", "IE cannot issue this demand: US-SCA-WARRANT is "
         "issued by US only."),
        ({"instrument": "EU-EPO", "issuing_jurisdiction": "US"}, "issuing_jurisdiction", "US cannot issue this "
         "demand: EU-EPO is issued by a member of E-EVIDENCE and EU on the day it is served (2026-11-02)."),
        ({"extended": "on"}, "extended", "Only a preservation is extended: US-SCA-WARRANT is a production instrument."),
        ({"pending_since": "2024-01-10"}, "pending_since", "Only for Indian process (IN-BNSS-94, IN-CRPC-91)"),
        ({"instrument": "IN-CRPC-91", "issuing_jurisdiction": "IN", "pending_since": "2026-11-03"}, "pending_since",
         "The proceeding cannot have begun after the demand was served (2026-11-02)"),
    ],
)  # fmt: skip
def test_what_the_instrument_does_not_allow_is_refused_naming_the_field(
    client, intake_user, data_map, changes, field, message
):
    response = _refused(client, intake_user, payload(data_map, **changes))
    errors = response.context["intake"].demand.errors
    assert list(errors) == [field] and errors[field][0].startswith(message), errors
    assert message[:40] in response.content.decode().replace("&#x27;", "'")


def test_an_eu_member_under_the_regulation_may_issue_an_epo(client, intake_user, data_map):
    client.force_login(intake_user)
    response = client.post(URL, payload(data_map, instrument="EU-EPO", issuing_jurisdiction="DE"))
    assert response.status_code == 302, response.context["intake"].demand.errors
    assert Demand.objects.get().issuing_jurisdiction_id == "DE"


def test_indian_process_takes_the_day_its_proceeding_began(
    client, intake_user, data_map, django_capture_on_commit_callbacks
):
    client.force_login(intake_user)
    data = payload(data_map, instrument="IN-CRPC-91", issuing_jurisdiction="IN", pending_since="2024-05-01")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, data)
    assert response.status_code == 302, response.context["intake"].demand.errors
    demand = Demand.objects.get()
    assert demand.pending_since == dt.date(2024, 5, 1)
    # Pending before the BNSS: the CrPC stays available after its end (BNSS s. 531(2)(a)).
    assert Analysis.objects.get(case__demand=demand).result["doctrine"] is not None
