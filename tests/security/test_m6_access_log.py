"""M6: gunicorn's access log keeps customer identifiers and keys out: query values are
dropped (percent-decoded paths redacted), credentials and cookies never written, and
`redact` matches percent-encoded e-mails and `llk_` keys."""

import datetime as dt
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from config.log_redaction import AccessLogger, redact, redact_url

SECRETS = ("target.person", "example.com", "llk_", "s3cr3t", "sessionid=abc")


@pytest.mark.parametrize(
    "text",
    [
        "GET /cases/?q=target.person%40example.com",
        "GET /cases/?q=TARGET.PERSON%40EXAMPLE.COM&page=2",
        "/api/v1/cases/?token%3Dllk_AbC123_xyz",
        "token=llk_AbC123 in a message",
        "an address alice+tag@example.com",
    ],
)
def test_redact_removes_encoded_identifiers_and_keys(text):
    out = redact(text)
    assert "example.com" not in out.lower() and "llk_" not in out and "[redacted]" in out


def test_redact_url_keeps_names_and_drops_every_value():
    assert redact_url("/cases/?q=target.person%40example.com&page=2") == "/cases/?q=[redacted]&page=[redacted]"
    assert "example.com" not in redact_url("/accounts/alice%40example.com/")
    assert redact_url("/cases/") == "/cases/"


def _access_line(caplog, environ_extra: dict, headers: list[tuple[str, str]]) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s %({authorization}i)s %({cookie}i)s')
    logger = AccessLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        **environ_extra,
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[("Content-Type", "text/html")])
    req = SimpleNamespace(headers=headers)
    with caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logger.access_log.propagate = True
        logger.access(resp, req, environ, dt.timedelta(seconds=0, microseconds=1500))
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "gunicorn.access")


def test_the_access_log_line_carries_no_identifier_key_or_cookie(caplog):
    line = _access_line(
        caplog,
        {
            "RAW_URI": "/cases/?q=target.person%40example.com&token=llk_AbC123",
            "PATH_INFO": "/cases/",
            "QUERY_STRING": "q=target.person%40example.com&token=llk_AbC123",
            "HTTP_REFERER": "https://lexloci.example/cases/?q=target.person%40example.com",
        },
        [("AUTHORIZATION", "Token llk_AbC123"), ("COOKIE", "sessionid=abc"), ("REFERER", "https://x/?key=s3cr3t")],
    )
    assert line, "nothing was logged"
    assert '"GET /cases/?q=[redacted]&token=[redacted] HTTP/1.1" 200' in line
    for secret in SECRETS:
        assert secret not in line, (secret, line)


def test_gunicorn_conf_uses_the_redacting_logger_and_threads():
    from pathlib import Path

    cfg = Config()
    namespace: dict = {"__file__": "config/gunicorn.conf.py"}
    exec(Path(__file__).resolve().parents[2].joinpath("config/gunicorn.conf.py").read_text(), namespace)  # noqa: S102
    for name in ("logger_class", "worker_class", "threads", "timeout", "limit_request_line"):
        cfg.set(name, namespace[name])
    assert cfg.logger_class is AccessLogger
    assert namespace["worker_class"] == "gthread" and namespace["threads"] >= 4
