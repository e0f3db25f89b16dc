"""Uploads are checked as PDFs by their structure, on every path that takes one, and
served back only as attachments.

Before: intake, correction and event forms looked only at the first five bytes (so
`%PDF-` followed by HTML passed, as did a PDF carrying JavaScript), and the admin's
two document fields checked nothing. Now every path runs
requests_app.documents.validate_pdf_document."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import MultiWidget
from django.urls import reverse

from cases.models import CaseEvent
from cases.tests import test_amend
from cases.tests.builders import full_case
from cases.tests.test_amend import PRESERVATION, _form_data, case_of
from requests_app.documents import MAX_DOCUMENT_BYTES, validate_pdf_document
from requests_app.models import Demand
from requests_app.tests.test_intake import payload
from tests.factories import CaseFactory, DemandFactory
from tests.security import pdfs

# The correction page's fixtures: the demo loaded, and its counsel.
demo, counsel = test_amend.demo, test_amend.counsel

# What every path must refuse, and the words of the refusal.
REFUSED = {
    "html": (pdfs.HTML, "not a PDF"),
    "pdf_headed_html": (pdfs.PDF_HEADED_HTML, "could not be read as a PDF"),
    "javascript_pdf": (pdfs.javascript_pdf(), "JavaScript"),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(body: bytes, name: str = "warrant.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type=content_type)


# --- the validator ---------------------------------------------------------------------------


def _refusal(body: bytes) -> str:
    try:
        validate_pdf_document(upload(body))
    except Exception as exc:  # a ValidationError, its message joined
        return " ".join(getattr(exc, "messages", [str(exc)]))
    return ""


def test_a_clean_pdf_passes_and_is_marked_a_pdf():
    checked = validate_pdf_document(upload(pdfs.clean_pdf(), content_type="text/html"))
    assert checked.content_type == "application/pdf"
    assert checked.read() == pdfs.clean_pdf()  # read from the start again: the check rewinds


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("javascript", "contains JavaScript"),
        ("open_action", "JavaScript"),
        ("page_action", "JavaScript"),
        ("launch", "starts another program (/Launch)"),
        ("launch_link", "starts another program (/Launch)"),
        ("embedded_file", "embedded files"),
    ],
)
def test_a_pdf_with_active_content_is_refused_saying_what_and_what_to_do(kind, words):
    message = _refusal(pdfs.ACTIVE[kind]())
    assert words in message and "Print it to a new PDF" in message


def test_an_open_action_without_script_is_refused_too():
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference,
                                                                 NameObject("/Fit"), NumberObject(0)])  # fmt: skip
    out = io.BytesIO()
    writer.write(out)
    assert "/OpenAction" in _refusal(out.getvalue())


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (pdfs.HTML, "not a PDF: its content does not start with %PDF-"),
        (pdfs.PDF_HEADED_HTML, "could not be read as a PDF"),
        (b"%PDF-1.7\n%%EOF\n", "could not be read as a PDF"),
        (pdfs.encrypted_pdf(), "encrypted or password-protected"),
    ],
)
def test_what_is_not_a_readable_plain_pdf_is_refused(body, words):
    assert words in _refusal(body)


def test_the_size_is_capped_before_parsing():
    assert "the limit is 10 MB" in _refusal(pdfs.clean_pdf() + b"\n%" + b"0" * MAX_DOCUMENT_BYTES)


# --- every upload path -----------------------------------------------------------------------


@pytest.mark.parametrize("refused", REFUSED)
def test_intake_refuses(client, intake_user, data_map, refused):
    body, words = REFUSED[refused]
    client.force_login(intake_user)
    response = client.post(reverse("demands:new"), {**payload(data_map), "document": upload(body)})
    assert response.status_code == 422
    assert words in " ".join(response.context["intake"].demand.errors["document"])
    assert not Demand.objects.exists()


def test_intake_accepts_a_clean_pdf(client, intake_user, data_map):
    client.force_login(intake_user)
    response = client.post(reverse("demands:new"), {**payload(data_map), "document": upload(pdfs.clean_pdf())})
    assert response.status_code == 302
    assert Demand.objects.get().document.read() == pdfs.clean_pdf()


@pytest.mark.parametrize("refused", REFUSED)
def test_the_correction_page_refuses(client, counsel, refused):
    body, words = REFUSED[refused]
    case = case_of(PRESERVATION)
    client.force_login(counsel)
    data = _form_data(client.get(reverse("cases:amend", args=[case.pk])))
    response = client.post(
        reverse("cases:amend", args=[case.pk]), {**data, "reason": "Signed copy.", "document": upload(body)}
    )
    assert response.status_code == 422
    assert words in " ".join(response.context["form"].demand.errors["document"])
    assert not Demand.objects.get(pk=case.demand_id).document


def test_the_correction_page_accepts_a_clean_pdf(client, counsel):
    case = case_of(PRESERVATION)
    client.force_login(counsel)
    data = _form_data(client.get(reverse("cases:amend", args=[case.pk])))
    data.update(reason="Signed copy.", document=upload(pdfs.clean_pdf()))
    assert client.post(reverse("cases:amend", args=[case.pk]), data).status_code == 302
    assert Demand.objects.get(pk=case.demand_id).document.read() == pdfs.clean_pdf()


def _event(case, document) -> dict:
    return {"event-version": case.version, "event-kind": "order_issued", "event-occurred_on": "2026-01-03",
            "event-document": document}  # fmt: skip


@pytest.mark.parametrize("refused", REFUSED)
def test_an_event_document_refuses(client, counsel_user, version, refused):
    body, words = REFUSED[refused]
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.post(reverse("cases:record_event", args=[case.pk]), _event(case, upload(body, "order.html")))
    assert response.status_code == 302  # back to the case file (PRG), the form shown with its error
    page = client.get(response["Location"])
    assert words in " ".join(page.context["event_form"].errors["document"])
    assert not CaseEvent.objects.filter(case=case, kind="order_issued").exists()


def test_an_event_document_accepts_a_clean_pdf(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.post(reverse("cases:record_event", args=[case.pk]), _event(case, upload(pdfs.clean_pdf())))
    assert response.status_code == 302
    assert CaseEvent.objects.get(case=case, kind="order_issued").document.read() == pdfs.clean_pdf()


# --- the admin ---------------------------------------------------------------------------


def _admin_form_data(page) -> dict:
    """The admin change page's form and inlines as a browser would post them."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data: dict = {}
    for form in forms:
        for bound in form:
            value, widget = bound.value(), bound.field.widget
            if value is None or value is False or value == "" or bound.name == "document":
                continue
            widget = getattr(widget, "widget", widget)  # the admin's related-field wrapper
            if isinstance(widget, MultiWidget):
                parts = widget.decompress(value) if not isinstance(value, list) else value
                for suffix, sub, part in zip(widget.widgets_names, widget.widgets, parts, strict=True):
                    data[bound.html_name + suffix] = sub.format_value(part) or ""
            elif value is True:
                data[bound.html_name] = "on"
            elif isinstance(value, dt.date):
                data[bound.html_name] = widget.format_value(value)
            else:
                data[bound.html_name] = str(value)
    return data


def _demand_admin_post(client, demand, document):
    url = reverse("admin:requests_app_demand_change", args=[demand.pk])
    return client.post(url, {**_admin_form_data(client.get(url)), "document": document})


@pytest.mark.parametrize("refused", REFUSED)
def test_the_demand_admin_refuses(client, admin_user_, refused):
    body, words = REFUSED[refused]
    demand = DemandFactory(created_by=admin_user_)
    client.force_login(admin_user_)
    response = _demand_admin_post(client, demand, upload(body))
    assert response.status_code == 200
    assert words in " ".join(response.context["adminform"].form.errors["document"])
    demand.refresh_from_db()
    assert not demand.document


def test_the_demand_admin_accepts_a_clean_pdf(client, admin_user_):
    demand = DemandFactory(created_by=admin_user_)
    client.force_login(admin_user_)
    response = _demand_admin_post(client, demand, upload(pdfs.clean_pdf()))
    assert response.status_code == 302, response.context["adminform"].form.errors
    demand.refresh_from_db()
    assert demand.document.read() == pdfs.clean_pdf()


def _case_admin_post(client, case, document):
    form = {"counsel": "", "change": "event:order_issued", "occurred_on": "2026-01-05", "expected_version": "1",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0", "document": document}  # fmt: skip
    return client.post(reverse("admin:cases_case_change", args=[case.pk]), form)


@pytest.mark.parametrize("refused", REFUSED)
def test_the_case_admin_refuses(client, admin_user_, refused):
    body, words = REFUSED[refused]
    case = CaseFactory()
    client.force_login(admin_user_)
    response = _case_admin_post(client, case, upload(body, "order.html"))
    assert response.status_code == 200
    assert words in " ".join(response.context["adminform"].form.errors["document"])
    assert not case.events.exists()


def test_the_case_admin_accepts_a_clean_pdf(client, admin_user_):
    case = CaseFactory()
    client.force_login(admin_user_)
    assert _case_admin_post(client, case, upload(pdfs.clean_pdf())).status_code == 302
    assert case.events.get(kind="order_issued").document.read() == pdfs.clean_pdf()


def test_the_api_takes_no_uploads(client, api_user):
    """The API parses JSON only: a multipart body (a way to smuggle a file) is refused."""
    from accounts.models import ApiToken

    _, key = ApiToken.issue(user=api_user, name="uploads", scope="read-write")
    response = client.post("/api/v1/demands/", {"document": upload(pdfs.HTML)}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 415


# --- served as attachments -----------------------------------------------------------------


def _assert_attachment(response, filename: str):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_the_warrant_is_served_as_an_attachment(client, viewer_user):
    demand = DemandFactory(reference="13-MAG-2814")
    demand.document.save("warrant.pdf", upload(pdfs.clean_pdf()), save=True)
    client.force_login(viewer_user)
    response = client.get(reverse("demands:document", args=[demand.pk]))
    _assert_attachment(response, "13-MAG-2814.pdf")
    assert b"".join(response.streaming_content) == pdfs.clean_pdf()


def test_an_event_document_is_served_as_an_attachment(client, viewer_user):
    case = CaseFactory()
    event = CaseEvent.objects.create(
        case=case, kind="order_issued", occurred_on=dt.date(2026, 1, 3), document=upload(pdfs.clean_pdf())
    )
    client.force_login(viewer_user)
    response = client.get(reverse("cases:event_document", args=[case.pk, event.pk]))
    _assert_attachment(response, f"case-{case.pk}-order_issued-{event.pk}.pdf")
    assert b"".join(response.streaming_content) == pdfs.clean_pdf()
