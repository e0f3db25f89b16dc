"""gunicorn's settings for the web process: `gunicorn -c config/gunicorn.conf.py
config.wsgi:application` (the Dockerfile, docker-compose.yml and tests/fault use it).

- Threaded workers (gthread): a client that sends its body slowly holds one thread, not
  a whole worker, and a connection with nothing to read yet waits in the poller, not in
  a thread; with WEB_WORKERS x WEB_THREADS slots a handful of slow clients cannot stop
  /healthz (tests/fault/test_slow_clients.py).
- A socket timeout per request (WEB_READ_TIMEOUT): a body that stalls longer frees its
  thread (the request ends in an error; the slots stay free).
- Request line and header limits well below gunicorn's defaults; bodies are limited by
  accounts.middleware.RequestSizeLimitMiddleware on their Content-Length (413).
- The access log redacts query strings, paths and credentials (config.log_redaction).

Every figure can be set from the environment (WEB_*), e.g. in docker-compose.yml.
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer; got {raw!r}") from None


bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")  # noqa: S104 - inside the container, behind the proxy
worker_class = "gthread"
workers = _int("WEB_WORKERS", 3)
threads = _int("WEB_THREADS", 8)
timeout = _int("WEB_TIMEOUT", 30)  # a worker silent this long is killed and replaced
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 20)  # in-flight requests' grace on restart
keepalive = _int("WEB_KEEPALIVE", 5)
max_requests = _int("WEB_MAX_REQUESTS", 2000)  # recycle workers: bounds any slow leak
max_requests_jitter = _int("WEB_MAX_REQUESTS_JITTER", 200)

# Request line and headers: an URL of 4 KiB, 50 headers of 8 KiB at most.
limit_request_line = _int("WEB_LIMIT_REQUEST_LINE", 4096)
limit_request_fields = _int("WEB_LIMIT_REQUEST_FIELDS", 50)
limit_request_field_size = _int("WEB_LIMIT_REQUEST_FIELD_SIZE", 8190)

READ_TIMEOUT = _int("WEB_READ_TIMEOUT", 20)  # seconds one read of a request's body may wait

accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
logger_class = "config.log_redaction.AccessLogger"


def pre_request(worker, req):
    """Bound every blocking read of this request's body (the worker thread's socket has
    no timeout of its own): a client that stops sending frees the thread."""
    sock = getattr(getattr(req, "unreader", None), "sock", None)
    if sock is not None and hasattr(sock, "settimeout"):
        sock.settimeout(READ_TIMEOUT)
