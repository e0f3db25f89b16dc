"""Project-wide fixtures: the personas of the legal team, and service guards."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts import roles

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing costs ~0.8 s a password; tests need a hash, not its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _status_etags_stop_listening():
    """The status ETag cache (cases/etag_cache.py) listens on a connection of its own
    once a test polls outside a transaction; it stops at the test's end, so that no
    ETag outlives the test's rows and the test database can be dropped."""
    yield
    from cases.etag_cache import STATUS_ETAGS

    STATUS_ETAGS.close()


def _persona(username: str, *groups: str, **extra):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def intake_user(db):
    return _persona("ivy.intake", roles.INTAKE)


@pytest.fixture
def counsel_user(db):
    return _persona("carl.counsel", roles.COUNSEL, email="carl@example.com")


@pytest.fixture
def viewer_user(db):
    return _persona("vera.viewer", roles.VIEWER)


@pytest.fixture
def api_user(db):
    return _persona("api.client", roles.API_CLIENT)


@pytest.fixture
def outsider_user(db):
    """Logged in, but in no role of the legal team."""
    return _persona("oscar.outsider")


@pytest.fixture
def admin_user_(db):
    return _persona("ada.admin", is_staff=True, is_superuser=True)


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Unit tests run Celery tasks in-process even when REDIS_URL names a broker; the
    tests that need the real broker and worker (tests/test_services.py, the fault
    tests) start and use them explicitly."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def services_required() -> bool:
    """In CI a test that needs PostgreSQL or Redis must fail, not skip, without it."""
    return os.environ.get("LEXLOCI_REQUIRE_SERVICES") == "1"


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        if services_required():
            pytest.fail("REDIS_URL is not set but this run requires Redis (LEXLOCI_REQUIRE_SERVICES=1)")
        pytest.skip("needs Redis: set REDIS_URL")
    return url


@pytest.fixture
def postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        if services_required():
            pytest.fail("this run requires PostgreSQL but DATABASE_URL does not point at one")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    return connection


@pytest.fixture
def catalogue(db):
    """The shipped catalogue loaded into the test database; returns its CatalogueVersion."""
    from django.conf import settings

    from jurisdictions import reach
    from jurisdictions.loader import store_catalogue

    version, _ = store_catalogue(reach.load_catalogue_files(settings.CATALOGUE_DIR))
    return version
