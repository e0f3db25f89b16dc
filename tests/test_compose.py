"""docker-compose.yml cannot be run here (no Docker engine), so check it statically:
every service's command names a real module or target, every variable it sets is one
the settings read, every long-running service has a healthcheck and every one-shot
service is waited for; two webs behind an nginx that buffers request bodies, SeaweedFS
for documents, migrations as the owning role and the app as its own role. And the
image: runtime dependencies only."""

import importlib
import ipaddress
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()
READ_BY_SETTINGS = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z_]+)\"", SETTINGS_SOURCE))
# The services run from the app's image.
APP_SERVICES = sorted(name for name, service in SERVICES.items() if service.get("build"))
ONE_SHOT = sorted(name for name, service in SERVICES.items() if service.get("restart") == "no")
LONG_RUNNING = sorted(set(SERVICES) - set(ONE_SHOT))


def _commands(service: dict) -> list[list[str]]:
    command = service["command"]
    text = command if isinstance(command, str) else shlex.join(command)
    if text.startswith("sh -c "):
        text = shlex.split(text)[2]
    return [shlex.split(part) for part in re.split(r"&&|;", text) if part.strip()]


def _programs(name: str) -> list[str]:
    return [argv[0] for argv in _commands(SERVICES[name])]


def _interpolated(value: str) -> str:
    """A compose value with each ${VAR...} replaced by a placeholder."""
    return re.sub(r"\$\{([A-Z_]+)[^}]*\}", lambda m: m.group(1).lower(), value)


def _webs() -> list[str]:
    return [name for name in APP_SERVICES if "gunicorn" in _programs(name)]


def test_expected_services():
    assert {"migrate", "proxy", "worker", "beat", "relay", "db", "redis", "seaweedfs"} <= set(SERVICES)
    assert set(ONE_SHOT) == {"migrate", "buckets"}
    assert "pgdata" in COMPOSE["volumes"] and "documents" in COMPOSE["volumes"]
    assert any(v.startswith("pgdata:") for v in SERVICES["db"]["volumes"])


def test_every_long_running_service_has_a_healthcheck():
    for name in LONG_RUNNING:
        check = SERVICES[name].get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), name


def test_dependencies_wait_for_health_or_completion():
    """A long-running dependency is waited for until healthy, a one-shot one until it
    has completed; every one-shot service is waited for by someone."""
    waited_for = set()
    for name, service in SERVICES.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on without conditions"
        for dependency, spec in depends.items():
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
            expected = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
            assert spec.get("condition") == expected, f"{name} -> {dependency}: {spec}"
            waited_for.add(dependency)
    assert set(ONE_SHOT) <= waited_for
    for name in APP_SERVICES:
        if name != "migrate":
            assert "migrate" in SERVICES[name]["depends_on"], f"{name} may start before the schema exists"
    assert "db" in SERVICES["migrate"]["depends_on"]


def test_app_commands_name_real_modules_and_targets():
    from django.core.management import get_commands

    management_commands = get_commands()
    seen = set()
    for name in APP_SERVICES:
        for argv in _commands(SERVICES[name]):
            program = argv[0]
            seen.add(program)
            if program == "gunicorn":
                assert argv[1:3] == ["-c", "config/gunicorn.conf.py"], argv
                assert (ROOT / argv[2]).is_file()
                module, attr = argv[3].split(":")
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
        env = SERVICES[name]["environment"]
        unknown = set(env) - READ_BY_SETTINGS
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
    assert {"DATABASE_URL", "MIGRATION_DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "STORAGE_URL"} <= (
        READ_BY_SETTINGS
    )


def test_two_webs_behind_a_proxy_that_buffers_request_bodies():
    webs = _webs()
    assert len(webs) >= 2, webs
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert {web: {"condition": "service_healthy"} for web in webs}.items() <= proxy["depends_on"].items()
    assert all("ports" not in SERVICES[web] for web in webs), "the webs are reached through the proxy only"
    assert proxy["ports"] == ["8000:8080"]
    mount = next(v for v in proxy["volumes"] if v.endswith(":/etc/nginx/conf.d/default.conf:ro"))
    conf = (ROOT / mount.split(":")[0]).read_text()
    assert re.search(r"^\s*proxy_request_buffering on;", conf, re.M)
    assert re.search(r"^\s*listen 8080;", conf, re.M)
    limit = re.search(r"^\s*client_max_body_size (\d+)m;", conf, re.M)
    assert limit and int(limit.group(1)) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    upstream = re.search(r"upstream (\w+) \{(.*?)\}", conf, re.S)
    assert upstream and f"proxy_pass http://{upstream.group(1)};" in conf
    assert sorted(re.findall(r"server (\w+):8000", upstream.group(2))) == sorted(webs)
    assert "/healthz" in " ".join(proxy["healthcheck"]["test"])
    # The app trusts X-Forwarded-For from the proxy alone (login throttle by client address).
    assert re.search(r"proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;", conf)
    proxy_address = proxy["networks"]["default"]["ipv4_address"]
    assert COMPOSE["x-app"]["environment"]["TRUSTED_PROXIES"] == proxy_address
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(proxy_address) in ipaddress.ip_network(subnet)


def test_documents_in_seaweedfs_for_every_app_process():
    from config.settings import s3_storage

    seaweed = SERVICES["seaweedfs"]
    assert seaweed["image"].split(":")[0] == "chrislusf/seaweedfs"
    assert seaweed["command"].split()[0] == "server" and "-s3" in seaweed["command"].split()
    buckets = " ".join(SERVICES["buckets"]["command"])
    for name in APP_SERVICES:
        url = _interpolated(SERVICES[name]["environment"]["STORAGE_URL"])
        options = s3_storage(url)["OPTIONS"]
        assert options["endpoint_url"] == "http://seaweedfs:8333", name
        assert options["access_key"] == SERVICES["seaweedfs"]["environment"]["AWS_ACCESS_KEY_ID"]
        assert f"s3.bucket.create -name {options['bucket_name']}" in buckets
    for web in _webs():
        assert SERVICES[web]["depends_on"]["buckets"] == {"condition": "service_completed_successfully"}


def test_migrations_run_as_the_owner_and_the_app_as_its_own_role():
    owner = SERVICES["db"]["environment"]["POSTGRES_USER"]
    migrate = SERVICES["migrate"]
    assert [argv[:3] for argv in _commands(migrate)] == [
        ["python", "manage.py", "migrate"],
        ["python", "manage.py", "grant_app_role"],
        ["python", "manage.py", "load_catalogue"],
    ]
    assert "--create" in _commands(migrate)[1]
    assert urlsplit(_interpolated(migrate["environment"]["MIGRATION_DATABASE_URL"])).username == owner
    for name in APP_SERVICES:
        env = SERVICES[name]["environment"]
        app_role = urlsplit(_interpolated(env["DATABASE_URL"])).username
        assert app_role and app_role != owner, f"{name} connects as the owner"
        if name != "migrate":
            assert "MIGRATION_DATABASE_URL" not in env, f"{name} is given the owner's credentials"


def test_dockerfile_installs_the_runtime_lock_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"config.wsgi:application"' in dockerfile and '"config/gunicorn.conf.py"' in dockerfile
    installs = re.findall(r"pip install[^\n]*", dockerfile)
    assert installs == ["pip install --no-cache-dir -r requirements.txt"], installs
    instructions = "\n".join(line for line in dockerfile.splitlines() if not line.lstrip().startswith("#"))
    assert "requirements-dev" not in instructions


DEV_TOOLS = re.compile(r"^(pytest|playwright|ruff|mypy|schemathesis|django-stubs|hypothesis|factory-boy)", re.I)


def _locked(path: str) -> set[str]:
    lines = (ROOT / path).read_text().splitlines()
    return {re.split(r"[=<>\[ ;]", line, maxsplit=1)[0].lower() for line in lines if line and line[0].isalnum()}


def test_the_images_requirements_have_no_development_tools():
    runtime = _locked("requirements.txt")
    assert not {name for name in runtime if DEV_TOOLS.match(name)}, "a test or lint tool in the runtime lock"
    assert {"django", "gunicorn", "psycopg"} <= runtime
    assert {"pytest", "ruff", "mypy"} <= _locked("requirements-dev.txt")  # where they belong


def test_dockerignore_keeps_tests_and_local_state_out():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {"tests", "*/tests", "conftest.py", "requirements-dev.txt", ".venv", ".git", "var", "bench"} <= ignored
    # collectstatic in the image needs the apps and static/: never ignored.
    assert not ignored & {"static", "templates", "config", "cases", "requirements.txt", "manage.py"}
