"""A case's documents and correspondence: the actions (one event each, SHA-256 of the
bytes stored, refusals with nothing written), the case file's section and its forms,
the export and the memo."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import export
from cases.actions import StaleCase
from cases.actions.documents import add_case_document, record_correspondence
from cases.models import CaseDocument, CaseEvent, Correspondence, Status
from tests.factories import CaseFactory
from tests.security import pdfs

ON = dt.date(2026, 1, 5)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name="order.pdf", data=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or pdfs.clean_pdf(), content_type="application/pdf")


@pytest.fixture
def case(db):
    return CaseFactory(demand__reference="13-MAG-2814")


# --- the actions ------------------------------------------------------------------------


def test_a_document_is_kept_with_its_hash_size_and_one_event(case, counsel_user):
    data = pdfs.clean_pdf()
    document = add_case_document(
        case, kind="court_order", title="Order of 5 January", file=pdf(data=data), by=counsel_user, expected_version=1
    )
    document.refresh_from_db()
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert (document.size, document.content_type, document.uploaded_by) == (len(data), "application/pdf", counsel_user)
    with document.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == document.sha256
    case.refresh_from_db()
    assert case.version == 2
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "document_added" and event.by == counsel_user
    assert event.note == f"Court order: Order of 5 January (SHA-256 {document.sha256[:12]}…)"
    assert event.data == {
        "document": document.pk,
        "kind": "court_order",
        "title": "Order of 5 January",
        "sha256": document.sha256,
    }
    assert document.history.first().history_user == counsel_user


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "poem"}, "kind"),
        ({"title": "  "}, "title"),
        ({"file": None}, "file"),
        ({"file": "not-a-pdf"}, "file"),
        ({"file": "javascript"}, "file"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(case, intake_user, changes, field):
    body = {"kind": "motion", "title": "Motion", "file": pdf()}
    body.update(changes)
    if body["file"] == "not-a-pdf":
        body["file"] = SimpleUploadedFile("x.pdf", b"<html>hello</html>", content_type="application/pdf")
    elif body["file"] == "javascript":
        body["file"] = pdf(data=pdfs.javascript_pdf())
    with pytest.raises(ValidationError) as refused:
        add_case_document(case, by=intake_user, expected_version=1, **body)
    assert list(refused.value.message_dict) == [field]
    case.refresh_from_db()
    assert case.version == 1 and not CaseDocument.objects.exists() and not CaseEvent.objects.exists()


def test_a_stale_version_is_refused(case, counsel_user):
    with pytest.raises(StaleCase):
        add_case_document(case, kind="motion", title="M", file=pdf(), by=counsel_user, expected_version=7)
    assert not CaseDocument.objects.exists()


def test_viewer_may_not_add_and_a_closed_case_takes_counsels_documents_only(
    case, counsel_user, intake_user, viewer_user
):
    with pytest.raises(PermissionDenied):
        add_case_document(case, kind="motion", title="M", file=pdf(), by=viewer_user, expected_version=None)
    case.status, case.outcome = Status.CLOSED, "moot"
    case.save()
    with pytest.raises(PermissionDenied, match="closed"):
        add_case_document(case, kind="motion", title="M", file=pdf(), by=intake_user, expected_version=None)
    with pytest.raises(PermissionDenied, match="closed"):
        record_correspondence(
            case,
            direction="in",
            occurred_on=ON,
            channel="email",
            counterpart="AUSA",
            summary="Late letter",
            by=intake_user,
            expected_version=None,
        )
    document = add_case_document(
        case, kind="court_order", title="Later order", file=pdf(), by=counsel_user, expected_version=None
    )
    assert document.case_id == case.pk


def test_correspondence_with_attachments_is_one_event(case, intake_user):
    first, second = pdfs.clean_pdf(), pdfs.clean_pdf() + b"\n"
    item = record_correspondence(
        case,
        direction="in",
        occurred_on=ON,
        channel="email",
        counterpart="AUSA Jane Roe",
        summary="Asks when we will produce.",
        attachments=[pdf("cover.pdf", first), pdf("schedule.pdf", second)],
        by=intake_user,
        expected_version=1,
    )
    attached = list(item.attachments.order_by("pk"))
    assert [(d.kind, d.title, d.sha256) for d in attached] == [
        ("correspondence", "cover.pdf", hashlib.sha256(first).hexdigest()),
        ("correspondence", "schedule.pdf", hashlib.sha256(second).hexdigest()),
    ]
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.occurred_on) == ("correspondence_recorded", ON)
    assert event.note.startswith("E-mail from AUSA Jane Roe: Asks when we will produce.\nAttached: cover.pdf")
    assert event.data["documents"] == [d.pk for d in attached]
    case.refresh_from_db()
    assert case.version == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"channel": "pigeon"}, "channel"),
        ({"counterpart": ""}, "counterpart"),
        ({"summary": " "}, "summary"),
        ({"occurred_on": dt.date(2999, 1, 1)}, "occurred_on"),
        ({"occurred_on": dt.date(2000, 1, 1)}, "occurred_on"),  # before the demand was served
        ({"attachments": [SimpleUploadedFile("x.pdf", b"nope")]}, "attachments"),
    ],
)
def test_bad_correspondence_names_the_field_and_writes_nothing(case, counsel_user, changes, field):
    body = {"direction": "out", "occurred_on": ON, "channel": "letter", "counterpart": "AUSA", "summary": "Reply"}
    body.update(changes)
    with pytest.raises(ValidationError) as refused:
        record_correspondence(case, by=counsel_user, expected_version=1, **body)
    assert list(refused.value.message_dict) == [field]
    assert not Correspondence.objects.exists() and not CaseDocument.objects.exists()
    assert not CaseEvent.objects.exists()


# --- the case file ------------------------------------------------------------------------


def test_the_case_file_lists_documents_and_correspondence(client, case, counsel_user, viewer_user):
    document = add_case_document(
        case, kind="court_order", title="Order to produce", file=pdf(), by=counsel_user, expected_version=None
    )
    record_correspondence(
        case,
        direction="in",
        occurred_on=ON,
        channel="email",
        counterpart="AUSA Jane Roe",
        summary="When?",
        attachments=[pdf("cover.pdf")],
        by=counsel_user,
        expected_version=None,
    )
    client.force_login(viewer_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="documents"' in page and 'id="correspondence"' in page
    assert "Order to produce" in page and document.sha256 in page and "AUSA Jane Roe" in page
    assert reverse("cases:document_download", args=[case.pk, document.pk]) in page
    assert 'id="add-document"' not in page and 'id="write-letter"' not in page  # a viewer only reads
    client.force_login(counsel_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="add-document"' in page and 'id="log-correspondence"' in page and 'id="write-letter"' in page
    assert f"{reverse('cases:new_letter', args=[case.pk])}?kind=redirect" in page


def test_intake_adds_a_document_from_the_case_file(client, case, intake_user):
    client.force_login(intake_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="add-document"' in page and 'id="write-letter"' not in page
    response = client.post(
        reverse("cases:add_document", args=[case.pk]),
        {"document-version": 1, "document-kind": "demand", "document-title": "Warrant", "document-file": pdf()},
    )
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    assert CaseDocument.objects.get().uploaded_by == intake_user


def test_a_refused_document_shows_the_form_again_with_the_error(client, case, counsel_user):
    client.force_login(counsel_user)
    bad = SimpleUploadedFile("x.pdf", b"<html></html>")
    response = client.post(
        reverse("cases:add_document", args=[case.pk]),
        {"document-version": 1, "document-kind": "motion", "document-title": "Motion", "document-file": bad},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "not a PDF" in page and 'id="add-document" open' in page
    assert not CaseDocument.objects.exists()


def test_a_stale_document_form_is_409_with_the_input_kept(client, case, counsel_user):
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:add_document", args=[case.pk]),
        {"document-version": 9, "document-kind": "motion", "document-title": "My motion", "document-file": pdf()},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode() and "My motion" in response.content.decode()


def test_logging_correspondence_from_the_case_file(client, case, counsel_user):
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:record_correspondence", args=[case.pk]),
        {
            "correspondence-version": 1,
            "correspondence-direction": "in",
            "correspondence-occurred_on": "2026-01-05",
            "correspondence-channel": "email",
            "correspondence-counterpart": "AUSA",
            "correspondence-summary": "Asks for a date.",
            "correspondence-attachments": [pdf("a.pdf"), pdf("b.pdf")],
        },
    )
    assert response.status_code == 302
    item = Correspondence.objects.get()
    assert item.attachments.count() == 2


@pytest.mark.parametrize("who", ["viewer_user", "outsider_user", "api_user"])
def test_refused_roles_get_403_on_the_steps(client, request, case, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("cases:add_document", "cases:record_correspondence"):
        assert client.post(reverse(name, args=[case.pk]), {}).status_code == 403
    assert not CaseDocument.objects.exists()


def test_intake_on_a_closed_case_is_refused(client, counsel_user, intake_user):
    closed = CaseFactory(status=Status.CLOSED, outcome="moot")
    client.force_login(intake_user)
    page = client.get(reverse("cases:detail", args=[closed.pk])).content.decode()
    assert 'id="add-document"' not in page
    response = client.post(
        reverse("cases:add_document", args=[closed.pk]),
        {"document-version": closed.version, "document-kind": "motion", "document-title": "M", "document-file": pdf()},
    )
    assert response.status_code == 403
    client.force_login(counsel_user)
    assert 'id="add-document"' in client.get(reverse("cases:detail", args=[closed.pk])).content.decode()


# --- export and memo ----------------------------------------------------------------------


def test_the_export_and_the_memo_carry_documents_and_correspondence(case, counsel_user):
    document = add_case_document(
        case, kind="court_order", title="Order to produce", file=pdf(), by=counsel_user, expected_version=None
    )
    item = record_correspondence(
        case,
        direction="in",
        occurred_on=ON,
        channel="email",
        counterpart="AUSA Jane Roe",
        summary="When?",
        attachments=[pdf("cover.pdf")],
        by=counsel_user,
        expected_version=None,
    )
    record = export.as_plain_json(export.case_record(case.pk))
    assert [(d["id"], d["kind"], d["sha256"]) for d in record["documents"]][0] == (
        document.pk,
        "court_order",
        document.sha256,
    )
    assert len(record["documents"]) == 2
    [entry] = record["correspondence"]
    assert (entry["id"], entry["direction"], entry["occurred_on"], entry["counterpart"]) == (
        item.pk,
        "in",
        "2026-01-05",
        "AUSA Jane Roe",
    )
    assert [a["title"] for a in entry["attachments"]] == ["cover.pdf"]
    html = export.memo_html(export.case_record(case.pk))
    assert "Order to produce" in html and document.sha256 in html and "AUSA Jane Roe" in html
