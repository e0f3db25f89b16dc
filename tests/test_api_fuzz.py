"""Schemathesis against the OpenAPI schema, in-process, on a seeded database: no 5xx,
and every response matches the schema, for data generated from the schema itself
(valid and invalid). Bounded: a fixed number of examples per operation."""

import io

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = WSGIHandler()

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes "old" connections around each request, which would close
    the test's transaction on PostgreSQL; Django's own test client does the same."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(catalogue, django_user_model, keep_test_connection):
    from django.contrib.auth.models import Group

    from accounts import roles

    call_command("load_demo", stdout=io.StringIO())
    user = django_user_model.objects.create_user("fuzz-client")
    user.groups.add(Group.objects.get(name=roles.API_CLIENT))
    return ApiToken.issue(user=user, name="fuzz", scope=ApiToken.Scope.READ_WRITE)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api_key):
    case.call_and_validate(headers={"Authorization": f"Token {api_key}"}, checks=CHECKS)
