"""The API's documents and errors as people meet them: the docs pages send an
anonymous browser to the login page, Redoc groups operations by resource and names
the requesting host, any unknown path under /api/ answers the API's JSON 404 (with
DEBUG on too), and a 403 is one warning line in the log, not a traceback."""

import logging
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.log_filters import ForbiddenWithoutTraceback
from config import api_schema

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_anonymous_docs_go_to_the_login_page_and_back(client, page):
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={page}"


def test_docs_for_a_signed_in_reader_and_the_schema_still_401(client, viewer_user):
    assert client.get("/api/schema/").status_code == 401  # an API resource: no redirect
    client.force_login(viewer_user)
    assert client.get("/api/redoc/").status_code == 200


def test_a_refused_role_is_still_refused(client, outsider_user):
    client.force_login(outsider_user)
    assert client.get("/api/docs/").status_code == 403


def test_schema_groups_operations_by_resource_and_names_this_server(client, viewer_user, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "lexloci.internal"]
    client.force_login(viewer_user)
    schema = client.get("/api/schema/?format=json", HTTP_HOST="lexloci.internal").json()
    tags = {path: {t for op in ops.values() if isinstance(op, dict) for t in op.get("tags", [])}
            for path, ops in schema["paths"].items()}  # fmt: skip
    assert all(t != {"v1"} and t for t in tags.values()), tags
    assert tags["/api/v1/cases/"] == {"cases"}
    assert tags["/api/v1/cases/{id}/move-deadline/"] == {"deadlines"}
    assert tags["/api/v1/cases/{id}/documents/"] == {"documents"}
    assert tags["/api/v1/cases/{id}/productions/"] == {"productions"}
    assert tags["/api/v1/demands/"] == {"demands"}
    assert tags["/api/v1/catalogue/courts/"] == {"catalogue"}
    assert tags["/api/v1/reports/transparency/"] == {"reports"}
    assert [t["name"] for t in schema["tags"]][:2] == ["cases", "case workflow"]
    assert schema["servers"] == [{"url": "http://lexloci.internal", "description": "This server"}]
    assert "example.org" not in str(schema["servers"])
    # operationIds unchanged by the tags: the links between operations still hold
    assert schema["paths"]["/api/v1/cases/"]["get"]["operationId"] == "v1_cases_list"


def test_every_path_gets_a_tag():
    assert api_schema.tag_for("/api/v1/cases/{id}/extend-ndo/") == "nondisclosure orders"
    assert api_schema.tag_for("/api/v1/cases/{id}/disclosure-decision/") == "preservation and emergencies"
    assert api_schema.tag_for("/api/v1/what-if/") == "what-if"
    assert api_schema.tag_for("/other/") is None


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/nope/"), ("get", "/api/"), ("post", "/api/nope"), ("post", "/api/v1/cases"), ("get", "/api/x/y")],
)
@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_paths_answer_json(client, method, path, debug):
    with override_settings(DEBUG=debug):
        response = getattr(client, method)(path, follow=True)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()["error"]
    assert (body["status"], body["code"]) == (404, "not_found")


def test_a_known_path_without_its_slash_is_still_redirected(client):
    response = client.get("/api/v1/cases?page=2")
    assert response.status_code == 301 and response["Location"] == "/api/v1/cases/?page=2"


def test_post_without_the_slash_says_why(client):
    assert "end with a slash" in client.post("/api/v1/cases").json()["error"]["message"]


def test_a_403_is_one_warning_line_without_a_traceback(client, outsider_user, caplog):
    client.force_login(outsider_user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("cases:list"))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    assert records[0].getMessage().startswith("Forbidden")
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def test_other_errors_keep_their_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", None, sys.exc_info())
    record.status_code = 500
    assert ForbiddenWithoutTraceback().filter(record) and record.exc_info is not None
