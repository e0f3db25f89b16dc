"""Settings read from the environment fail loudly on missing or bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PYTEST_VERSION"}
    }
    clean.update(env)
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.DATABASES['default'].get('CONN_MAX_AGE'), settings.DATABASES['default'].get('CONN_HEALTH_CHECKS'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_with_debug_off_refuses_to_start():
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_no_variables_at_all_is_production_and_refuses_without_a_secret():
    result = load_settings()
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_under_pytest_no_variables_are_needed():
    """A bare `pytest` runs the development configuration that `make test` sets."""
    result = load_settings(PYTEST_VERSION="9.2.0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["True", "django.db.backends.sqlite3", "True"]


def test_debug_off_with_secret_starts_on_sqlite_with_eager_tasks():
    result = load_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["False", "django.db.backends.sqlite3", "True"]


def test_bad_boolean_is_an_error_naming_the_variable():
    result = load_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_postgres_url_gets_persistent_connections_with_health_checks():
    result = load_settings(
        DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5432/x", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert result.returncode == 0, result.stderr
    debug, engine, eager, max_age, health = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"  # a real broker when REDIS_URL is set
    assert int(max_age) > 0 and health == "True"


@pytest.mark.parametrize("value", ["mysql://nope", "not a url"])
def test_unusable_database_url_fails_loudly(value):
    result = load_settings(DEBUG="1", DATABASE_URL=value)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr or "Bad URL" in result.stderr or "ImproperlyConfigured" in result.stderr
