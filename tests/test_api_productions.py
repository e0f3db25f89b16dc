"""POST and GET /api/v1/cases/{id}/productions/: JSON or multipart with files, the
version check, roles and token scopes, bad input by field, and the files' SHA-256
checked against the bytes downloaded back."""

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.models import CaseDocument, CaseEvent, Production
from tests.factories import AccountFactory, CaseFactory, HoldingFactory

CSV = b"account,ip\nuser@example.com,192.0.2.1\n"
JSONL = b'{"from": "a@example.com", "to": "b@example.com"}'


@pytest.fixture
def case(db):
    case = CaseFactory()
    account = AccountFactory(demand=case.demand)
    case.content = HoldingFactory(account=account, category="content")
    case.traffic = HoldingFactory(account=account, category="traffic", data_location=None)
    return case


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user, scope: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=user, name='t', scope=scope)[1]}")
    return client


def url(case) -> str:
    return f"/api/v1/cases/{case.pk}/productions/"


def body(case, **change) -> dict:
    return {
        "number": "P-1",
        "produced_on": "2026-01-05",
        "recipient": "FBI Field Office",
        "method": "portal",
        "items": [
            {"holding": case.content.pk, "disposition": "produced"},
            {"holding": case.traffic.pk, "disposition": "withheld", "reason": "Outside the dates"},
        ],
        "expected_version": case.version,
        **change,
    }


def post_json(client, case, data):
    return client.post(url(case), data=json.dumps(data), content_type="application/json")


def test_json_without_files_is_201(case, counsel_user):
    response = post_json(client_for(counsel_user), case, body(case))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"] == "P-1" and data["version"] == 2 and data["files"] == []
    assert [(i["holding"], i["disposition"]) for i in data["items"]] == [
        (case.content.pk, "produced"),
        (case.traffic.pk, "withheld"),
    ]
    assert CaseEvent.objects.filter(case=case, kind="production_recorded").count() == 1


def test_multipart_with_files_and_the_hash_matches_the_download(case, counsel_user):
    client = client_for(counsel_user)
    data = body(case)
    data["items"] = json.dumps(data["items"])
    data["files"] = [SimpleUploadedFile("calls.csv", CSV), SimpleUploadedFile("mail.json", JSONL)]
    response = client.post(url(case), data=data, format="multipart")
    assert response.status_code == 201, response.json()
    files = response.json()["files"]
    assert [(f["name"], f["content_type"], f["size"]) for f in files] == [
        ("calls.csv", "text/csv", len(CSV)),
        ("mail.json", "application/json", len(JSONL)),
    ]
    assert files[0]["sha256"] == hashlib.sha256(CSV).hexdigest()
    # The stored hash is the hash of the bytes downloaded back (the download is a page: a session).
    browser = Client()
    browser.force_login(counsel_user)
    for entry in files:
        download = browser.get(entry["download"])
        assert download.status_code == 200
        assert download["X-Content-Type-Options"] == "nosniff"
        assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == entry["sha256"]
    listed = client.get(url(case)).json()
    assert [p["number"] for p in listed] == ["P-1"]
    assert [f["sha256"] for f in listed[0]["files"]] == [f["sha256"] for f in files]


def test_a_stale_version_is_409(case, counsel_user):
    response = post_json(client_for(counsel_user), case, body(case, expected_version=7))
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert not Production.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": ""}, "number"),
        ({"method": "pigeon"}, "method"),
        ({"produced_on": "05/01/2026"}, "produced_on"),
        ({"produced_on": "2999-01-01"}, "produced_on"),
        ({"items": []}, "items"),
        ({"items": [{"holding": 99999999, "disposition": "produced"}]}, "items[0].holding"),
        ({"items": [{"category": "content", "disposition": "withheld"}]}, "items[0].reason"),
        ({"items": [{"category": "content", "disposition": "lost"}]}, "items[0].disposition"),
        ({"expected_version": "1"}, "expected_version"),
        ({"files": ["x"]}, "files"),
    ],
)
def test_bad_input_is_400_naming_the_field(case, counsel_user, change, field):
    response = post_json(client_for(counsel_user), case, body(case, **change))
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Production.objects.exists()


def test_a_bad_file_is_400_naming_files(case, counsel_user):
    data = body(case)
    data["items"] = json.dumps(data["items"])
    data["files"] = [SimpleUploadedFile("x.pdf", b"%PDF-1.7 fake")]
    response = client_for(counsel_user).post(url(case), data=data, format="multipart")
    assert response.status_code == 400 and "files" in response.json()["error"]["fields"]
    assert not CaseDocument.objects.exists()


def test_a_closed_case_is_400(case, counsel_user):
    type(case).objects.filter(pk=case.pk).update(status="closed", outcome="rejected")
    response = post_json(client_for(counsel_user), case, body(case))
    assert response.status_code == 400 and "case" in response.json()["error"]["fields"]


@pytest.mark.parametrize("persona", ["intake_user", "viewer_user", "outsider_user"])
def test_roles_that_may_not_record_are_403(request, case, persona):
    user = request.getfixturevalue(persona)
    assert post_json(client_for(user), case, body(case)).status_code == 403
    expected = 403 if persona == "outsider_user" else 200
    assert client_for(user).get(url(case)).status_code == expected


def test_a_read_only_token_is_403_and_a_read_write_one_records(case, api_user):
    assert post_json(token_client(api_user, "read"), case, body(case)).status_code == 403
    assert token_client(api_user, "read").get(url(case)).status_code == 200
    assert post_json(token_client(api_user, "read-write"), case, body(case)).status_code == 201


def test_unknown_case_is_404(case, counsel_user):
    assert client_for(counsel_user).get("/api/v1/cases/99999999/productions/").status_code == 404


def test_the_schema_publishes_both_operations(case, counsel_user):
    schema = client_for(counsel_user).get("/api/schema/?format=json").json()
    path = schema["paths"]["/api/v1/cases/{id}/productions/"]
    assert set(path) >= {"get", "post"}
    content = path["post"]["requestBody"]["content"]
    assert set(content) >= {"application/json", "multipart/form-data"}
    assert set(path["post"]["responses"]) >= {"201", "400", "403", "409"}
    ref = path["post"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    result = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "files" in result["properties"] and "version" in result["properties"]
