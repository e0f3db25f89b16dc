"""Process from any country at intake (issue 15): the courts and authorities of the
issuing jurisdiction, who may issue each instrument (never the EU itself), what the
document is called, the zone the form starts in, a PDF kept across a refused try, the
duplicate reference's link, and the labels and ids of the page."""

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Profile
from cases.models import Analysis, Case
from jurisdictions import reach
from jurisdictions.models import Court, LegalInstrument
from requests_app.forms import KEPT_DIR
from requests_app.models import Demand, document_name
from tests.security.pdfs import clean_pdf

URL = reverse("demands:new")
API = "/api/v1/demands/"
PDF = clean_pdf()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name: str = "warrant.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def court(name: str) -> Court:
    return Court.objects.get(name=name)


def payload(data_map, **overrides) -> dict:
    """A valid intake of a US warrant: one account, one holding, no nondisclosure order."""
    m = data_map
    data = {
        "reference": "ANY-1",
        "time_zone": "UTC",
        "instrument": "US-SCA-WARRANT",
        "issuing_jurisdiction": "US",
        "issuing_authority": "U.S. Attorney, S.D.N.Y.",
        "court": "",
        "served_entity": m["msft"].pk,
        "served_at": "2026-11-02T09:00",
        "received_at": "2026-11-02T10:30",
        "due_at": "",
        "accounts-TOTAL_FORMS": "1",
        "accounts-INITIAL_FORMS": "0",
        "accounts-0-identifier": "target@example.com",
        "accounts-0-service": "",
        "accounts-0-us_person": "no",
        "accounts-0-residence": "IE",
        "accounts-0-holdings-TOTAL_FORMS": "1",
        "accounts-0-holdings-INITIAL_FORMS": "0",
        "accounts-0-holdings-0-category": "content",
        "accounts-0-holdings-0-data_location": m["dublin"].pk,
        "accounts-0-holdings-0-controlled_by": m["msft"].pk,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def german_epo(data_map, **overrides) -> dict:
    return payload(
        data_map,
        reference="DE-EPO-1",
        instrument="EU-EPO",
        issuing_jurisdiction="DE",
        issuing_authority="Staatsanwaltschaft Berlin",
        court=court("Amtsgericht München").pk,
        **overrides,
    )


def api_body(**overrides) -> dict:
    body = {
        "reference": "API-ANY-1",
        "instrument": "US-SCA-WARRANT",
        "issuing_jurisdiction": "US",
        "issuing_authority": "FBI",
        "court": None,
        "served_entity": "Microsoft Corporation",
        "served_at": "2026-11-02T09:00:00Z",
        "received_at": "2026-11-02T10:00:00Z",
        "accounts": [
            {
                "identifier": "target@example.com",
                "holdings": [
                    {"category": "content", "data_location": "Dublin", "controlled_by": "Microsoft Corporation"}
                ],
            }
        ],
    }
    body.update(overrides)
    return body


def api_post(user, body):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(API, data=json.dumps(body), content_type="application/json")


def refused(client, user, data, files=None):
    client.force_login(user)
    response = client.post(URL, {**data, **(files or {})})
    assert response.status_code == 422, response.status_code
    assert Demand.objects.count() == 0 or "reference" in response.context["intake"].demand.errors
    return response


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


# ------------------------------------------------------------------ the catalogue


def test_every_jurisdiction_that_issues_process_has_courts_with_a_real_zone(catalogue):
    import zoneinfo

    issuers = {code for codes in LegalInstrument.objects.issuers().values() for code in codes}
    with_courts = set(Court.objects.values_list("jurisdiction_id", flat=True))
    assert issuers - with_courts == set(), "issuing jurisdictions without a court or authority"
    assert {"GB", "DE", "FR", "IE", "NL", "BR", "CA", "AU", "US"} <= with_courts
    assert "EU" not in with_courts
    zones = zoneinfo.available_timezones()
    assert all(c.time_zone in zones for c in Court.objects.all())
    # The US courts keep their circuits and states; no other court has one.
    sdny = court("S.D.N.Y.")
    assert (sdny.circuit, sdny.time_zone, sdny.state) == ("2", "America/New_York", "NY")
    assert not Court.objects.exclude(jurisdiction_id="US").exclude(circuit="", state="").exists()
    assert court("Staatsanwaltschaft Berlin").jurisdiction_id == "DE"
    assert court("Crown Court at Southwark").time_zone == "Europe/London"


def engine_answer(instrument: str, issuer: str, court: str | None) -> dict:
    cat = reach.shipped_catalogue()
    demand = {"instrument": instrument, "issuing_jurisdiction": issuer, "served_entity": "Nimbus Mail UK Ltd"}
    if court:
        demand["issuing_court"] = court
    scenario = {
        "id": "x",
        "as_of": "2026-11-02",
        "demand": demand,
        "entities": [
            {"name": "Nimbus Mail Inc.", "country": "US", "offers_services_in": ["*"]},
            {"name": "Nimbus Mail UK Ltd", "country": "GB", "parent": "Nimbus Mail Inc."},
        ],
        "accounts": [
            {
                "identifier": "t@example.com",
                "holdings": [{"category": "content", "storage": "GB", "controlled_by": "Nimbus Mail UK Ltd"}],
            }
        ],
    }
    result = reach.evaluate(cat, reach.facts_from_scenario(scenario, cat))
    return {"contract": reach.result_to_contract("x", result), "reasons": [r.code for r in result.reasons]}


def test_a_court_outside_the_us_changes_no_answer_of_the_engine():
    """Only US courts sit in circuits (RULES.md §5.3): a British order names its court,
    and the engine's answer is the one without it (no US "unknown court" assumption)."""
    cat = reach.shipped_catalogue()
    assert cat.court("Southwark Crown Court").jurisdiction == "GB"
    assert cat.court("AG München").name == "Amtsgericht München"
    assert not any(c.circuit for c in cat.courts if c.jurisdiction != "US")
    with_court = engine_answer("GB-COPO", "GB", "Crown Court at Southwark")
    assert with_court == engine_answer("GB-COPO", "GB", None)
    assert "court" not in with_court["reasons"]
    # US process still reads its court.
    assert "court" in engine_answer("US-SCA-WARRANT", "US", "S.D.N.Y.")["reasons"]


# ------------------------------------------------------- courts of the issuer


def test_the_page_offers_each_jurisdictions_courts_grouped_with_their_zones(client, intake_user, data_map):
    client.force_login(intake_user)
    body = client.get(URL).content.decode()
    munich = court("Amtsgericht München")
    assert re.search(
        rf'<optgroup label="Germany \(DE\)">.*?<option value="{munich.pk}" data-jurisdiction="DE" '
        r'data-zone="Europe/Berlin">Amtsgericht München</option>',
        body,
        re.S,
    )
    sdny = court("S.D.N.Y.")
    assert f'<option value="{sdny.pk}" data-jurisdiction="US" data-zone="America/New_York">S.D.N.Y.</option>' in body
    assert "Staatsanwaltschaft Berlin" in body and "Westminster Magistrates&#x27; Court" in body
    assert '<label for="id_court">Issuing court or authority:</label>' in body


def test_a_german_court_is_chosen_for_a_german_epo_and_stored(
    client, intake_user, data_map, django_capture_on_commit_callbacks
):
    client.force_login(intake_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, german_epo(data_map, time_zone=""))
    assert response.status_code == 302, response.context["intake"].demand.errors
    demand = Demand.objects.get()
    assert (demand.instrument.code, demand.issuing_jurisdiction_id) == ("EU-EPO", "DE")
    assert demand.court.name == "Amtsgericht München"
    # No zone picked: the times were read in the court's zone (CET in November).
    assert demand.served_at == dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
    assert Analysis.objects.filter(case__demand=demand).exists()
    assert response["Location"] == reverse("cases:detail", args=[demand.case.pk])


def test_the_api_takes_a_german_court_by_name_or_alias(intake_user, data_map):
    body = api_body(instrument="EU-EPO", issuing_jurisdiction="DE", court="AG München")
    response = api_post(intake_user, body)
    assert response.status_code == 201, response.content
    assert response.json()["court"] == "Amtsgericht München"
    assert Demand.objects.get().court.jurisdiction_id == "DE"


def test_a_court_of_another_jurisdiction_than_the_issuer_is_refused(client, intake_user, data_map):
    response = refused(client, intake_user, payload(data_map, court=court("Amtsgericht München").pk))
    errors = response.context["intake"].demand.errors
    assert list(errors) == ["court"]
    assert errors["court"][0].startswith(
        "Amtsgericht München is a court or authority of DE, not of the issuing jurisdiction US"
    )
    api = api_post(intake_user, api_body(court="Crown Court at Southwark"))
    assert api.status_code == 400 and list(api.json()["error"]["fields"]) == ["court"]
    assert Demand.objects.count() == 0


# ------------------------------------------------------------ who may issue it


def test_a_us_warrant_issued_by_gb_is_refused_with_a_message(client, intake_user, data_map):
    response = refused(client, intake_user, payload(data_map, issuing_jurisdiction="GB"))
    message = "GB cannot issue this demand: US-SCA-WARRANT is issued by US only."
    assert response.context["intake"].demand.errors["issuing_jurisdiction"] == [message]
    page = text(response)
    assert message in page
    # The message is tied to the field for screen readers.
    assert 'aria-describedby="id_issuing_jurisdiction_helptext id_issuing_jurisdiction_error"' in page
    assert 'id="id_issuing_jurisdiction_error"' in page


def test_the_api_refuses_a_us_warrant_issued_by_gb_naming_the_field(intake_user, data_map):
    response = api_post(intake_user, api_body(issuing_jurisdiction="GB"))
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert list(fields) == ["issuing_jurisdiction"]
    assert "US-SCA-WARRANT is issued by US only" in json.dumps(fields)
    assert Demand.objects.count() == 0


def test_the_eu_is_not_offered_as_an_issuer(client, intake_user, data_map):
    client.force_login(intake_user)
    body = client.get(URL).content.decode()
    issuer = re.search(r'<select name="issuing_jurisdiction".*?</select>', body, re.S).group(0)
    offered = set(re.findall(r'<option value="([A-Z]+)"', issuer))
    assert "EU" not in offered and "European Union" not in issuer
    assert {"US", "GB", "DE", "FR", "IE", "BR", "CA", "AU", "IN"} <= offered
    assert "DK" not in offered  # no instrument of the catalogue is Danish, and DK is outside e-Evidence


@pytest.mark.parametrize("instrument", ["EU-EPO", "EU-EPO-PR", "US-SCA-WARRANT"])
def test_the_eu_is_refused_as_an_issuer_naming_the_instrument(client, intake_user, data_map, instrument):
    response = refused(client, intake_user, payload(data_map, instrument=instrument, issuing_jurisdiction="EU"))
    [message] = response.context["intake"].demand.errors["issuing_jurisdiction"]
    assert message.startswith(f"EU cannot issue this demand: {instrument} is issued by")
    if instrument.startswith("EU-"):
        assert message.endswith("Name the member state whose authority issued it.")
    api = api_post(intake_user, api_body(instrument=instrument, issuing_jurisdiction="EU"))
    assert api.status_code == 400 and list(api.json()["error"]["fields"]) == ["issuing_jurisdiction"]


def test_an_epo_before_the_regulation_applies_is_refused_for_a_member_state(client, intake_user, data_map):
    # Members take part from 2023-08-17 on the catalogue's memberships; before, none may issue one.
    response = refused(client, intake_user, german_epo(data_map, served_at="2023-01-10T09:00", received_at=""))
    [message] = response.context["intake"].demand.errors["issuing_jurisdiction"]
    assert message.startswith("DE cannot issue this demand: EU-EPO is issued by a member of")


# ---------------------------------------------------------- what it is called


def test_the_document_is_named_after_the_instrument():
    names = {code: document_name(LegalInstrument(code=code, name=name)) for code, name in [
        ("US-SCA-WARRANT", "Warrant"), ("US-SCA-SUBPOENA", "Subpoena"), ("GB-COPO", "Overseas production order"),
        ("CA-CC-487.012", "Production order"), ("EU-EPO", "European Production Order"),
        ("BR-MCI-ORDER", "Judicial order"),
    ]}  # fmt: skip
    assert names == {
        "US-SCA-WARRANT": "Warrant",
        "US-SCA-SUBPOENA": "Subpoena",
        "GB-COPO": "Overseas production order",
        "CA-CC-487.012": "Production order",
        "EU-EPO": "European Production Order Certificate (EPOC)",
        "BR-MCI-ORDER": "Court order",
    }
    assert document_name(None) == "Demand document"


@pytest.mark.parametrize(
    "changes, label",
    [
        ({}, "Warrant (PDF, at most 10 MB)"),
        ({"instrument": "EU-EPO", "issuing_jurisdiction": "DE"}, "European Production Order Certificate (EPOC) (PDF"),
        ({"instrument": "GB-COPO", "issuing_jurisdiction": "GB"}, "Overseas production order (PDF"),
        ({"instrument": "BR-MCI-ORDER", "issuing_jurisdiction": "BR"}, "Court order (PDF"),
        ({"instrument": "US-SCA-SUBPOENA"}, "Subpoena (PDF"),
        ({"instrument": ""}, "Demand document (PDF"),
    ],
)
def test_the_document_label_follows_the_instrument(client, intake_user, data_map, changes, label):
    # Refused (received before served) so that the page shows the label for the instrument sent.
    response = refused(client, intake_user, payload(data_map, received_at="2026-11-01T00:00", **changes))
    assert re.search(r'<label for="id_document">' + re.escape(label), response.content.decode())


def test_each_instrument_option_carries_its_document_name(client, intake_user, data_map):
    client.force_login(intake_user)
    body = client.get(URL).content.decode()
    assert re.search(
        r'<option value="EU-EPO" [^>]*data-document="European Production Order Certificate \(EPOC\)"', body
    )
    assert re.search(r'<option value="US-SCA-WARRANT" [^>]*data-document="Warrant"', body)
    assert '<label for="id_document">Demand document (PDF, at most 10 MB):</label>' in body
    assert 'data-label="{name} (PDF, at most 10 MB)"' in body


# ------------------------------------------------------------- the zone it starts in


def selected_zone(body: str) -> str:
    select = re.search(r'<select name="time_zone".*?</select>', body, re.S).group(0)
    found = re.search(r'<option value="([^"]*)" selected>', select)
    return found.group(1) if found else ""


def test_intake_remembers_the_last_zone(client, intake_user, data_map):
    client.force_login(intake_user)
    assert selected_zone(client.get(URL).content.decode()) == ""  # nothing known: the court's, else UTC
    response = client.post(URL, payload(data_map, time_zone="Europe/Berlin"))
    assert response.status_code == 302
    assert Profile.objects.get(user=intake_user).intake_time_zone == "Europe/Berlin"
    assert Demand.objects.get().served_at == dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)
    assert selected_zone(client.get(URL).content.decode()) == "Europe/Berlin"


def test_a_refused_intake_does_not_change_the_remembered_zone(client, intake_user, data_map):
    Profile.objects.create(user=intake_user, intake_time_zone="America/Chicago")
    refused(client, intake_user, payload(data_map, time_zone="Asia/Tokyo", received_at="2026-11-01T00:00"))
    assert Profile.objects.get(user=intake_user).intake_time_zone == "America/Chicago"


def test_without_a_last_zone_the_form_starts_in_the_users_own_zone(client, intake_user, data_map):
    Profile.objects.create(user=intake_user, time_zone="America/Denver")
    client.force_login(intake_user)
    body = client.get(URL).content.decode()
    assert selected_zone(body) == "America/Denver"
    # A zone outside the usual list is offered too.
    Profile.objects.filter(user=intake_user).update(time_zone="Pacific/Auckland")
    assert selected_zone(client.get(URL).content.decode()) == "Pacific/Auckland"


def test_an_unknown_zone_is_refused_naming_the_field(client, intake_user, data_map):
    response = refused(client, intake_user, payload(data_map, time_zone="Mars/Olympus_Mons"))
    assert list(response.context["intake"].demand.errors) == ["time_zone"]


# ------------------------------------------------------------- the PDF kept


def kept_files() -> list[str]:
    return default_storage.listdir(KEPT_DIR)[1] if default_storage.exists(KEPT_DIR) else []


def test_the_pdf_is_kept_after_a_validation_error(client, intake_user, data_map):
    response = refused(
        client, intake_user, payload(data_map, received_at="2026-11-01T00:00"), {"document": pdf("order.pdf")}
    )
    page = response.content.decode()
    assert "<strong>order.pdf</strong> (kept) — " in page
    assert '<label class="kept-replace" for="id_document">replace</label>' in page
    assert 'aria-describedby="id_document_kept"' in page
    assert "Attach" not in page
    assert len(kept_files()) == 1
    token = re.search(r'<input type="hidden" name="kept_document" value="([^"]+)"', page).group(1)

    # Sent again, corrected, without the file: it is logged with the kept PDF, which leaves the keep.
    response = client.post(URL, payload(data_map, kept_document=token))
    assert response.status_code == 302, response.context["intake"].demand.errors
    demand = Demand.objects.get()
    assert demand.document.name.endswith(".pdf") and KEPT_DIR not in demand.document.name
    assert demand.document.read() == PDF
    assert kept_files() == []


def test_a_new_file_replaces_the_kept_one(client, intake_user, data_map):
    first = refused(client, intake_user, payload(data_map, received_at="2026-11-01T00:00"), {"document": pdf()})
    token = re.search(r'name="kept_document" value="([^"]+)"', first.content.decode()).group(1)
    second = refused(
        client,
        intake_user,
        payload(data_map, received_at="2026-11-01T00:00", kept_document=token),
        {"document": pdf("other.pdf")},
    )
    assert "<strong>other.pdf</strong> (kept)" in second.content.decode()
    assert len(kept_files()) == 1  # the first was dropped


def test_a_kept_pdf_is_only_its_users(client, intake_user, counsel_user, data_map):
    first = refused(client, intake_user, payload(data_map, received_at="2026-11-01T00:00"), {"document": pdf()})
    token = re.search(r'name="kept_document" value="([^"]+)"', first.content.decode()).group(1)
    response = refused(client, counsel_user, payload(data_map, kept_document=token))
    assert response.context["intake"].demand.errors["document"] == [
        "The document kept from your last try is no longer available (kept for a day): attach it again."
    ]
    forged = refused(client, intake_user, payload(data_map, kept_document=token[:-2] + "xx"))
    assert "document" in forged.context["intake"].demand.errors
    assert Demand.objects.count() == 0


def test_a_pdf_that_fails_its_checks_is_not_kept(client, intake_user, data_map):
    bad = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = refused(client, intake_user, payload(data_map), {"document": bad})
    assert "(kept)" not in response.content.decode() and kept_files() == []


# -------------------------------------------------------- the duplicate's link


def test_the_duplicate_reference_message_links_to_the_case(client, intake_user, data_map):
    client.force_login(intake_user)
    reference = 'A&B <i>"1"</i>'
    assert client.post(URL, payload(data_map, reference=reference)).status_code == 302
    case = Case.objects.get()
    response = refused(client, intake_user, payload(data_map, reference=reference.lower()))
    page = response.content.decode()
    link = f'<a href="/cases/{case.pk}/">case {case.pk}</a>'
    assert f"A demand with reference A&amp;B &lt;i&gt;&quot;1&quot;&lt;/i&gt; is already logged: {link}." in page
    assert "<i>" not in page.split('id="id_reference_error"')[1].split("</ul>")[0]


# ------------------------------------------------------ labels, ids, errors


class Controls(HTMLParser):
    """The form's controls, labels and ids as the page has them."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.labels: set[str] = set()
        self.controls: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.controls.append(attrs)


def controls_of(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


def test_every_control_has_a_label_and_ids_are_unique_with_repeated_accounts(client, intake_user, data_map):
    data = payload(
        data_map,
        received_at="2026-11-01T00:00",  # refused: the page comes back with both accounts
        **{
            "accounts-TOTAL_FORMS": "2",
            "accounts-0-holdings-TOTAL_FORMS": "2",
            "accounts-0-holdings-1-category": "subscriber",
            "accounts-0-holdings-1-data_location": "",
            "accounts-0-holdings-1-controlled_by": "",  # an error in a holding
            "accounts-1-identifier": "other@example.com",
            "accounts-1-holdings-TOTAL_FORMS": "1",
            "accounts-1-holdings-INITIAL_FORMS": "0",
            "accounts-1-holdings-0-category": "content",
            "accounts-1-holdings-0-data_location": "",
            "accounts-1-holdings-0-controlled_by": data_map["ireland"].pk,
        },
    )
    response = refused(client, intake_user, data)
    html = response.content.decode()
    start = html.index('<form method="post" enctype="multipart/form-data"')
    form = html[start : html.index("</form>", start)]
    page = controls_of(form)
    assert len(page.controls) > 20
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert duplicates == set()
    unlabelled = [c.get("name") for c in page.controls if c.get("id") not in page.labels and not c.get("aria-label")]
    assert unlabelled == []
    assert {"id_accounts-1-holdings-0-category", "id_accounts-0-holdings-1-controlled_by"} <= page.labels
    # Every error is tied to its control, and points at an element that exists.
    invalid = [c for c in page.controls if c.get("aria-invalid") == "true"]
    assert {c["name"] for c in invalid} >= {"received_at", "accounts-0-holdings-1-controlled_by"}
    for control in invalid:
        described = control.get("aria-describedby", "").split()
        assert f"{control['id']}_error" in described, control
        assert all(i in page.ids for i in described), control
    assert "Data category, account 2, holding 1" in form


def test_an_added_holding_has_its_labels(client, intake_user, data_map):
    client.force_login(intake_user)
    response = client.get(
        reverse("demands:holding_form", args=[1]), {"accounts-1-holdings-TOTAL_FORMS": "2"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    page = controls_of(response.content.decode())
    assert {"id_accounts-1-holdings-2-category", "id_accounts-1-holdings-2-data_location"} <= page.labels
    assert "Controlled by, account 2, holding 3" in response.content.decode()


@pytest.mark.parametrize("persona", ["viewer_user", "outsider_user"])
def test_others_may_not_log_a_demand(client, request, data_map, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, german_epo(data_map)).status_code == 403
    assert Demand.objects.count() == 0


def test_kept_documents_of_abandoned_forms_are_swept_after_a_day(client, intake_user, data_map):
    from django.utils import timezone

    from requests_app.forms import sweep_kept

    refused(client, intake_user, payload(data_map, received_at="2026-11-01T00:00"), {"document": pdf()})
    assert len(kept_files()) == 1
    assert sweep_kept() == 0  # still within its day
    assert sweep_kept(timezone.now() + dt.timedelta(days=1, minutes=1)) == 1
    assert kept_files() == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"instrument": "US-SCA-WARRANT\x00"},  # PostgreSQL refuses a NUL in a query: named, not a 500
        {"instrument": "X" * 500},
        {"issuing_jurisdiction": "US\x00"},  # re-offered on the refused page: not looked up
        {"time_zone": "", "court": "²"},  # a digit to str.isdigit, not to int()
        {"time_zone": "", "court": "1" * 40},
    ],
)
def test_odd_instrument_or_court_input_is_refused_not_a_server_error(client, intake_user, data_map, overrides):
    """The form reads the instrument (for the document's label) and the court (for the
    times' zone) before its fields are checked: odd input there names no row."""
    response = refused(client, intake_user, payload(data_map, **overrides))
    field = next(iter(overrides.keys() - {"time_zone"}))
    assert field in response.context["intake"].demand.errors
