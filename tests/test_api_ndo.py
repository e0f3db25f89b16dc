"""`POST /api/v1/cases/{id}/extend-ndo/`, `GET /api/v1/cases/{id}/tasks/` and
`POST /api/v1/cases/{id}/tasks/{task_id}/complete/`: 201, 409 stale, 400 naming the
field, 403 by role and by a read-only token, 404 for another case's order or task."""

import datetime as dt
import json

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.actions.orders import sync_ndo_expiry_deadline
from cases.models import CaseTask
from cases.tasks import open_customer_notice_tasks
from tests.factories import CaseFactory, NdoFactory

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 4, 2, 9, 0, tzinfo=dt.UTC)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user, scope: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user=user, name='t', scope=scope)[1]}")
    return client


def post(client, url: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def ndo_case(db):
    with time_machine.travel(NOW, tick=False):
        case = CaseFactory()
        order = NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 4, 1))
        sync_ndo_expiry_deadline(case, by=None)
    case.refresh_from_db()
    return case, order


def extension(case, ndo, /, **body) -> dict:
    case.refresh_from_db()
    return {
        "order": ndo.pk,
        "expires_on": "2026-09-01",
        "occurred_on": "2026-03-09",
        "court_name": "W.D. Wash.",
        "citation": "No. MJ26-0311",
        "expected_version": case.version,
        **body,
    }


def test_counsel_extends_an_order(ndo_case, counsel_user):
    case, order = ndo_case
    with time_machine.travel(NOW, tick=False):
        response = post(client_for(counsel_user), f"/api/v1/cases/{case.pk}/extend-ndo/", extension(case, order))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["order"]["expires_on"] == "2026-09-01" and body["order"]["extensions"] == ["2026-04-01"]
    assert body["deadline"]["kind"] == "ndo_expiry" and body["deadline"]["computation"]["expires_on"] == "2026-09-01"
    assert body["event"]["kind"] == "ndo_extended" and body["event"]["citation"] == "No. MJ26-0311"
    assert body["version"] == case.version + 1


def test_a_stale_extension_is_409(ndo_case, counsel_user):
    case, order = ndo_case
    body = extension(case, order, expected_version=case.version + 3)
    with time_machine.travel(NOW, tick=False):
        response = post(client_for(counsel_user), f"/api/v1/cases/{case.pk}/extend-ndo/", body)
    assert response.status_code == 409
    order.refresh_from_db()
    assert order.expires_on == dt.date(2026, 4, 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expires_on": "2026-03-01"}, "expires_on"),  # not after the current end date
        ({"expires_on": "1 Sept"}, "expires_on"),
        ({"occurred_on": "2027-01-01"}, "occurred_on"),  # in the future
        ({"order": "one"}, "order"),
        ({"expected_version": None}, "expected_version"),
        ({"court": "No Such Court"}, "court"),
    ],
)
def test_a_bad_extension_is_400_naming_the_field(ndo_case, counsel_user, change, field):
    case, order = ndo_case
    with time_machine.travel(NOW, tick=False):
        response = post(
            client_for(counsel_user), f"/api/v1/cases/{case.pk}/extend-ndo/", extension(case, order, **change)
        )
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]


def test_another_cases_order_is_404(ndo_case, counsel_user):
    case, _ = ndo_case
    other = NdoFactory(demand=CaseFactory().demand)
    with time_machine.travel(NOW, tick=False):
        response = post(client_for(counsel_user), f"/api/v1/cases/{case.pk}/extend-ndo/", extension(case, other))
    assert response.status_code == 404


def test_refused_roles_and_read_only_tokens_are_403(ndo_case, viewer_user, intake_user, api_user):
    case, order = ndo_case
    url = f"/api/v1/cases/{case.pk}/extend-ndo/"
    with time_machine.travel(NOW, tick=False):
        for client in (client_for(viewer_user), client_for(intake_user), token_client(api_user, "read")):
            assert post(client, url, extension(case, order)).status_code == 403
        assert post(token_client(api_user, "read-write"), url, extension(case, order)).status_code == 201


# --- Tasks -----------------------------------------------------------------------------------


@pytest.fixture
def task(ndo_case):
    case, _ = ndo_case
    with time_machine.travel(AFTER, tick=False):
        open_customer_notice_tasks()
    return CaseTask.objects.get(case=case)


def notice(task, **body) -> dict:
    task.case.refresh_from_db()
    return {"notice_given_on": "2026-04-02", "notice_means": "email", "expected_version": task.case.version, **body}


def test_the_tasks_are_listed_and_counsel_completes_one(task, counsel_user, viewer_user):
    url = f"/api/v1/cases/{task.case_id}/tasks/"
    listed = client_for(viewer_user).get(url).json()
    assert [(t["id"], t["done_at"], t["ndo_expired_on"]) for t in listed] == [(task.pk, None, "2026-04-01")]
    with time_machine.travel(AFTER, tick=False):
        response = post(client_for(counsel_user), f"{url}{task.pk}/complete/", notice(task, note="By e-mail."))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["task"]["notice_given_on"] == "2026-04-02" and body["task"]["notice_means"] == "email"
    assert body["task"]["done_by"] == counsel_user.username and body["event"]["kind"] == "customer_notified"
    # Not twice.
    with time_machine.travel(AFTER, tick=False):
        again = post(client_for(counsel_user), f"{url}{task.pk}/complete/", notice(task))
    assert again.status_code == 400 and "task" in again.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"notice_given_on": "2026-03-31"}, "notice_given_on"),  # before the order expired
        ({"notice_given_on": "2026-05-01"}, "notice_given_on"),  # in the future
        ({"notice_means": "pigeon"}, "notice_means"),
        ({"expected_version": "7"}, "expected_version"),
    ],
)
def test_a_bad_notice_is_400_naming_the_field(task, counsel_user, change, field):
    with time_machine.travel(AFTER, tick=False):
        response = post(
            client_for(counsel_user), f"/api/v1/cases/{task.case_id}/tasks/{task.pk}/complete/", notice(task, **change)
        )
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]


def test_a_stale_notice_is_409(task, counsel_user):
    body = notice(task)
    body["expected_version"] += 1
    with time_machine.travel(AFTER, tick=False):
        response = post(client_for(counsel_user), f"/api/v1/cases/{task.case_id}/tasks/{task.pk}/complete/", body)
    assert response.status_code == 409
    task.refresh_from_db()
    assert task.done_at is None


def test_notice_refused_roles_and_read_only_tokens_are_403(task, viewer_user, intake_user, api_user):
    url = f"/api/v1/cases/{task.case_id}/tasks/{task.pk}/complete/"
    with time_machine.travel(AFTER, tick=False):
        for client in (client_for(viewer_user), client_for(intake_user), token_client(api_user, "read")):
            assert post(client, url, notice(task)).status_code == 403
        assert post(token_client(api_user, "read-write"), url, notice(task)).status_code == 201


def test_another_cases_task_is_404(task, counsel_user):
    other = CaseFactory()
    with time_machine.travel(AFTER, tick=False):
        response = post(client_for(counsel_user), f"/api/v1/cases/{other.pk}/tasks/{task.pk}/complete/", notice(task))
    assert response.status_code == 404


def test_the_queue_filters_the_api_list(task, counsel_user):
    with time_machine.travel(AFTER, tick=False):
        listed = client_for(counsel_user).get("/api/v1/cases/?queue=customer_notice").json()
    assert [c["id"] for c in listed["results"]] == [task.case_id]


def test_the_endpoints_are_in_the_schema(counsel_user):
    schema = client_for(counsel_user).get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/cases/{id}/extend-ndo/",
        "/api/v1/cases/{id}/tasks/",
        "/api/v1/cases/{id}/tasks/{task_id}/complete/",
    ):
        assert path in schema["paths"], sorted(schema["paths"])
