"""Keeps secrets and customer identifiers out of the logs: API keys (`llk_...`),
`Authorization` header values, `token=`/`password=` values and e-mail-like account
identifiers are replaced before any handler writes a record (LOGGING attaches
`RedactingFilter` to every handler), also when percent-encoded (`alice%40example.com`).
gunicorn's access log goes through `AccessLogger` (config/gunicorn.conf.py), which
drops the value of every query parameter. No Django imports: logging is configured
before the apps are ready."""

import logging
import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from gunicorn.glogging import Logger

REDACTED = "[redacted]"
_PATTERNS = [
    # "Authorization: Token llk_..." / 'HTTP_AUTHORIZATION': 'Bearer ...' / authorization=...
    (re.compile(r"(?i)(\b(?:http_)?authorization['\"]?\s*[:=]\s*['\"]?)[^'\",}\n]+"), rf"\1{REDACTED}"),
    (re.compile(r"\bllk_[A-Za-z0-9_\-]+"), REDACTED),
    (re.compile(r"(?i)\b(token|key|secret|password)=([^&\s'\"]+)"), rf"\1={REDACTED}"),
    # E-mail-like identifiers (account identifiers, users' addresses).
    (re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), REDACTED),
]


def _redact_plain(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(text: str) -> str:
    """`text` with secrets and identifiers replaced. Percent-encoded text is decoded
    before matching (`target%40example.com`, `token%3Dllk_...`); when that finds
    something, the decoded text is what is kept, redacted."""
    redacted = _redact_plain(text)
    if "%" in redacted:
        decoded = unquote(redacted, errors="replace")
        if decoded != redacted:
            cleaned = _redact_plain(decoded)
            if cleaned != decoded:
                return cleaned
    return redacted


def redact_url(url: str) -> str:
    """A path or URL for a log line: the path redacted, every query value dropped
    (the names stay: `/cases/?q=[redacted]&page=[redacted]`)."""
    if not url or url == "-":
        return url
    parts = urlsplit(url)
    path = redact(url.split("?", 1)[0].split("#", 1)[0])
    if not parts.query:
        return path
    names = [(name, REDACTED) for name, _ in parse_qsl(parts.query, keep_blank_values=True)]
    query = urlencode(names, safe="[]") if names else REDACTED
    return f"{path}?{redact(query)}"


# Request headers and environ values that carry a credential, a session or a URL.
_SECRET_ATOMS = ("authorization", "cookie", "x-api-key", "proxy-authorization")
_URL_ATOMS = ("referer", "raw_uri", "request_uri", "path_info", "http_referer")


class AccessLogger(Logger):
    """gunicorn's logger with the access log's atoms redacted: the request line and
    the referer keep their paths (redacted) and their query parameters' names only,
    credentials and cookies are dropped, and every other value goes through `redact`."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        method, protocol = environ.get("REQUEST_METHOD", "-"), environ.get("SERVER_PROTOCOL", "-")
        atoms["r"] = f"{method} {redact_url(environ.get('RAW_URI', '') or '-')} {protocol}"
        atoms["U"] = redact(atoms.get("U") or "-")
        atoms["q"] = redact_url("?" + atoms["q"]).lstrip("?") if atoms.get("q") else atoms.get("q")
        atoms["f"] = redact_url(atoms.get("f") or "-")
        for key, value in list(atoms.items()):
            if not (key.startswith("{") and isinstance(value, str)):
                continue
            name = key[1:-2].lower()
            if name.startswith("http_"):
                name = name[5:].replace("_", "-")
            if name in _SECRET_ATOMS or name.replace("-", "_") in ("http_authorization", "http_cookie"):
                atoms[key] = REDACTED
            elif name == "query_string" or name == "query-string":
                atoms[key] = redact_url("?" + value).lstrip("?") if value else value
            elif name in _URL_ATOMS or name.replace("-", "_") in _URL_ATOMS:
                atoms[key] = redact_url(value)
            else:
                atoms[key] = redact(value)
        return atoms


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and formatted traceback) with secrets redacted."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
