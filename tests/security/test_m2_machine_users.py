"""M2: a client system's account is bound by its token.

The demo `api-client` logged in at /login/ with its password and wrote through the API
with the session, whatever its token's scope. Machine accounts (the api-client role
without a person's role) now cannot log in to the site or the admin, and a session of
one (were there any) gets nothing from the API: a client system uses its token, within
the token's scope.
"""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import ApiToken
from conftest import PASSWORD

REFUSAL = "This account is an API client"


def login(client: Client, username: str, password: str, path: str = "/login/"):
    return client.post(path, {"username": username, "password": password})


def test_the_site_login_refuses_a_machine_account_with_a_clear_message(api_user):
    client = Client()
    response = login(client, "api.client", PASSWORD)
    assert response.status_code == 200
    assert REFUSAL in response.text and "API token" in response.text
    assert "_auth_user_id" not in client.session


def test_the_admin_login_refuses_it_too_even_when_staff(api_user):
    api_user.is_staff = True
    api_user.save()
    client = Client()
    response = login(client, "api.client", PASSWORD, "/admin/login/")
    assert REFUSAL in response.text
    assert "_auth_user_id" not in client.session


def test_the_demo_api_client_cannot_log_in(catalogue):
    call_command("load_demo", stdout=io.StringIO())
    client = Client()
    response = login(client, "api-client", "api-client-demo-pass")
    assert REFUSAL in response.text
    assert "_auth_user_id" not in client.session
    assert login(Client(), "viewer", "viewer-demo-pass").status_code == 302


@pytest.mark.parametrize("persona", ["intake_user", "counsel_user", "viewer_user", "admin_user_"])
def test_people_still_log_in(request, persona):
    user = request.getfixturevalue(persona)
    client = Client()
    assert login(client, user.username, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_person_who_is_also_an_api_client_logs_in(viewer_user):
    viewer_user.groups.add(Group.objects.get_or_create(name=roles.API_CLIENT)[0])
    client = Client()
    assert login(client, "vera.viewer", PASSWORD).status_code == 302


# --- the API: tokens only --------------------------------------------------------------


def demand_post(client):
    return client.post("/api/v1/demands/", data=json.dumps({}), content_type="application/json")


def test_a_session_of_a_machine_account_gets_no_api_write_nor_read(catalogue, api_user):
    client = Client()
    client.force_login(api_user)  # a session made some other way than the login page
    assert demand_post(client).status_code == 403
    assert client.get("/api/v1/cases/").status_code == 403


def test_its_token_works_within_its_scope(catalogue, api_user):
    for scope, write_status in [("read", 403), ("read-write", 400)]:  # 400: past the permission, an empty body
        _, key = ApiToken.issue(user=api_user, name=scope, scope=scope)
        client = APIClient(headers={"Authorization": f"Token {key}"})
        assert client.get("/api/v1/cases/").status_code == 200
        assert demand_post(client).status_code == write_status


def test_a_person_who_is_also_an_api_client_writes_by_session_only_as_the_person(catalogue, viewer_user):
    viewer_user.groups.add(Group.objects.get_or_create(name=roles.API_CLIENT)[0])
    client = Client()
    client.force_login(viewer_user)
    assert client.get("/api/v1/cases/").status_code == 200  # a viewer reads
    assert demand_post(client).status_code == 403  # and does not write


def test_people_keep_their_session_access(catalogue, intake_user):
    client = Client()
    client.force_login(intake_user)
    assert demand_post(client).status_code == 400  # past the permission
