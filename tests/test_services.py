"""The real services CI provides. Skipped on the embedded default; in CI
(LEXLOCI_REQUIRE_SERVICES=1) a missing service fails these tests."""

import os
import subprocess
import sys
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent


def test_database_is_postgres_when_configured(postgres):
    with postgres.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13


def test_redis_answers(redis_url):
    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    assert client.ping() is True


def test_celery_worker_runs_a_task_through_redis(redis_url):
    """A real worker process consumes a task published on the real broker."""
    queue = f"ci-{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "REDIS_URL": redis_url, "DEBUG": "1"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        key = f"lexloci:ping:{queue}"
        client.delete(key)
        script = f"from config.celery import app; app.send_task('lexloci.ping', args=[{queue!r}], queue={queue!r})"
        subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and client.get(key) is None:
            time.sleep(0.2)
        assert client.get(key) == b"ok", "the worker did not run the task within 30 s"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
