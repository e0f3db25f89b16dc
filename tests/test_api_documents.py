"""`GET/POST /api/v1/cases/{id}/documents/` and `/correspondence/`: 201 with the case's
new version, the SHA-256 on record is that of the bytes downloaded back, 409 on a stale
version, 403 by role and by read-only token, 400 naming the field, and the schema."""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.models import CaseDocument, CaseEvent, Correspondence, Status
from tests.factories import CaseFactory
from tests.security import pdfs


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(db):
    return CaseFactory(demand__reference="13-MAG-2814")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user, scope: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=user, name='t', scope=scope)[1]}")
    return client


def pdf(name="order.pdf", data=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or pdfs.clean_pdf(), content_type="application/pdf")


def documents(case) -> str:
    return f"/api/v1/cases/{case.pk}/documents/"


def correspondence(case) -> str:
    return f"/api/v1/cases/{case.pk}/correspondence/"


def upload(client, case, **changes):
    body = {"kind": "court_order", "title": "Order to produce", "file": pdf(), "expected_version": 1, **changes}
    return client.post(documents(case), body, format="multipart")


def test_counsel_adds_a_document_and_downloads_the_same_bytes(client, case, counsel_user):
    data = pdfs.clean_pdf()
    response = upload(client_for(counsel_user), case, file=pdf(data=data))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2
    document = body["document"]
    assert document["sha256"] == hashlib.sha256(data).hexdigest()
    assert (document["kind"], document["title"], document["size"], document["uploaded_by"]) == (
        "court_order",
        "Order to produce",
        len(data),
        "carl.counsel",
    )
    assert CaseEvent.objects.get(case=case).kind == "document_added"
    client.force_login(counsel_user)
    download = client.get(document["download"])
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document["sha256"]
    listed = client_for(counsel_user).get(documents(case)).json()
    assert [d["id"] for d in listed] == [document["id"]]


def test_intake_and_a_read_write_token_add_documents(case, intake_user, api_user):
    assert upload(client_for(intake_user), case).status_code == 201
    assert upload(token_client(api_user, "read-write"), case, expected_version=2).status_code == 201
    assert CaseDocument.objects.count() == 2


def test_a_stale_version_is_409(case, counsel_user):
    response = upload(client_for(counsel_user), case, expected_version=5)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert not CaseDocument.objects.exists()


@pytest.mark.parametrize("who", ["viewer_user", "outsider_user"])
def test_a_role_that_may_not_add_is_403(request, case, who):
    user = request.getfixturevalue(who)
    assert upload(client_for(user), case).status_code == 403
    assert client_for(user).post(correspondence(case), {}, format="json").status_code == 403


def test_a_read_only_token_reads_but_may_not_add(case, api_user):
    client = token_client(api_user, "read")
    assert client.get(documents(case)).status_code == 200
    assert client.get(correspondence(case)).status_code == 200
    assert upload(client, case).status_code == 403
    assert not CaseDocument.objects.exists()


def test_an_api_clients_session_is_403(case, api_user):
    client = APIClient()
    client.force_login(api_user)
    assert client.get(documents(case)).status_code == 403


def test_intake_on_a_closed_case_is_403_and_counsel_still_adds(intake_user, counsel_user):
    closed = CaseFactory(status=Status.CLOSED, outcome="moot")
    response = upload(client_for(intake_user), closed, expected_version=closed.version)
    assert response.status_code == 403 and "closed" in response.json()["error"]["message"]
    assert upload(client_for(counsel_user), closed, expected_version=closed.version).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "poem"}, "kind"),
        ({"title": ""}, "title"),
        ({"expected_version": "one"}, "expected_version"),
        ({"file": SimpleUploadedFile("x.pdf", b"<html></html>")}, "file"),
        ({"file": pdf(data=pdfs.open_action_pdf())}, "file"),
    ],
)
def test_bad_input_is_400_naming_the_field(case, counsel_user, changes, field):
    response = upload(client_for(counsel_user), case, **changes)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not CaseDocument.objects.exists()


def test_a_missing_file_is_400(case, counsel_user):
    body = {"kind": "court_order", "title": "T", "expected_version": 1}
    response = client_for(counsel_user).post(documents(case), body, format="multipart")
    assert response.status_code == 400 and list(response.json()["error"]["fields"]) == ["file"]


def test_json_is_refused_for_documents(case, counsel_user):
    response = client_for(counsel_user).post(documents(case), {"kind": "motion"}, format="json")
    assert response.status_code == 415


def test_an_unknown_case_is_404(counsel_user, db):
    assert client_for(counsel_user).get("/api/v1/cases/999999/documents/").status_code == 404
    assert client_for(counsel_user).get("/api/v1/cases/999999/correspondence/").status_code == 404


# --- correspondence ---------------------------------------------------------------------------


def test_correspondence_with_attachments_by_multipart(client, case, counsel_user):
    first = pdfs.clean_pdf()
    body = {
        "direction": "in",
        "occurred_on": "2026-01-05",
        "channel": "email",
        "counterpart": "AUSA Jane Roe",
        "summary": "Asks when we will produce.",
        "attachments": [pdf("cover.pdf", first), pdf("schedule.pdf")],
        "expected_version": 1,
    }
    response = client_for(counsel_user).post(correspondence(case), body, format="multipart")
    assert response.status_code == 201, response.content
    item = response.json()["correspondence"]
    assert response.json()["version"] == 2
    assert [a["title"] for a in item["attachments"]] == ["cover.pdf", "schedule.pdf"]
    assert item["attachments"][0]["sha256"] == hashlib.sha256(first).hexdigest()
    client.force_login(counsel_user)
    back = client.get(item["attachments"][0]["download"])
    assert hashlib.sha256(b"".join(back.streaming_content)).hexdigest() == hashlib.sha256(first).hexdigest()
    [listed] = client_for(counsel_user).get(correspondence(case)).json()
    assert listed["id"] == item["id"] and len(listed["attachments"]) == 2
    assert CaseEvent.objects.get(case=case).kind == "correspondence_recorded"


def test_correspondence_without_attachments_by_json(case, intake_user):
    body = {
        "direction": "out",
        "occurred_on": "2026-01-05",
        "channel": "phone",
        "counterpart": "AUSA Jane Roe",
        "summary": "Agreed a date.",
        "expected_version": 1,
    }
    response = client_for(intake_user).post(correspondence(case), json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["correspondence"]["attachments"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"direction": "up"}, "direction"),
        ({"occurred_on": "05/01/2026"}, "occurred_on"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"counterpart": ""}, "counterpart"),
        ({"expected_version": None}, "expected_version"),
    ],
)
def test_bad_correspondence_is_400_naming_the_field(case, counsel_user, changes, field):
    body = {
        "direction": "in",
        "occurred_on": "2026-01-05",
        "channel": "email",
        "counterpart": "AUSA",
        "summary": "S",
        "expected_version": 1,
        **changes,
    }
    response = client_for(counsel_user).post(correspondence(case), json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert not Correspondence.objects.exists()


def test_a_stale_correspondence_is_409(case, counsel_user):
    body = {
        "direction": "in",
        "occurred_on": "2026-01-05",
        "channel": "email",
        "counterpart": "AUSA",
        "summary": "S",
        "expected_version": 3,
    }
    response = client_for(counsel_user).post(correspondence(case), json.dumps(body), content_type="application/json")
    assert response.status_code == 409


def test_the_schema_has_both_endpoints(counsel_user):
    schema = client_for(counsel_user).get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    docs = paths["/api/v1/cases/{id}/documents/"]
    assert set(docs) >= {"get", "post"}
    assert "multipart/form-data" in docs["post"]["requestBody"]["content"]
    assert set(docs["post"]["responses"]) >= {"201", "400", "403", "409"}
    corr = paths["/api/v1/cases/{id}/correspondence/"]
    assert set(corr["post"]["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
