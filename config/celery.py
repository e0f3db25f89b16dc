"""Celery application. Configuration lives in settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lexloci")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="lexloci.ping")
def ping(token: str) -> None:
    """Leave a short-lived mark in Redis: proves a worker consumed a task (health checks, tests)."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    client.set(f"lexloci:ping:{token[:64]}", "ok", ex=300)
