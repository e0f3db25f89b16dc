"""docker-compose.yml cannot be run here (no Docker engine), so check it statically:
every service's command names a real module or target, and every variable it sets
is one the settings read."""

import importlib
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()
READ_BY_SETTINGS = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z_]+)\"", SETTINGS_SOURCE))
APP_SERVICES = ("web", "worker", "beat", "relay")


def _commands(service: dict) -> list[list[str]]:
    command = service["command"]
    text = command if isinstance(command, str) else shlex.join(command)
    if text.startswith("sh -c "):
        text = shlex.split(text)[2]
    return [shlex.split(part) for part in re.split(r"&&|;", text) if part.strip()]


def test_every_service_has_a_healthcheck_or_is_beat():
    for name, service in COMPOSE["services"].items():
        assert name in ("beat", "relay") or "healthcheck" in service, f"{name} has no healthcheck"
    assert "pgdata" in COMPOSE["volumes"]
    assert any(v.startswith("pgdata:") for v in COMPOSE["services"]["db"]["volumes"])


def test_app_commands_name_real_modules_and_targets():
    from django.core.management import get_commands

    management_commands = get_commands()
    seen = set()
    for name in APP_SERVICES:
        for argv in _commands(COMPOSE["services"][name]):
            program = argv[0]
            seen.add(program)
            if program == "gunicorn":
                module, attr = argv[1].split(":")
                assert callable(getattr(importlib.import_module(module), attr))
            elif program == "celery":
                app_module = argv[argv.index("-A") + 1]
                assert importlib.import_module(app_module).celery_app.main == "lexloci"
                assert argv[argv.index("-A") + 2] in {"worker", "beat"}
            elif program == "python":
                assert argv[1] == "manage.py" and argv[2] in management_commands, argv
            else:
                raise AssertionError(f"{name}: unexpected program {program}")
    assert {"gunicorn", "celery", "python"} <= seen


def test_every_variable_set_is_read_by_settings():
    for name in APP_SERVICES:
        env = COMPOSE["services"][name]["environment"]
        unknown = set(env) - READ_BY_SETTINGS
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"} <= READ_BY_SETTINGS


def test_dockerfile_cmd_matches_wsgi_module():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"config.wsgi:application"' in dockerfile
    assert "requirements.txt" in dockerfile
