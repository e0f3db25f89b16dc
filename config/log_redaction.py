"""Keeps secrets and customer identifiers out of the logs: API keys (`llk_...`),
`Authorization` header values, `token=`/`password=` values and e-mail-like account
identifiers are replaced before any handler writes a record (LOGGING attaches
`RedactingFilter` to every handler). No Django imports: logging is configured before
the apps are ready."""

import logging
import re

REDACTED = "[redacted]"
_PATTERNS = [
    # "Authorization: Token llk_..." / 'HTTP_AUTHORIZATION': 'Bearer ...' / authorization=...
    (re.compile(r"(?i)(\b(?:http_)?authorization['\"]?\s*[:=]\s*['\"]?)[^'\",}\n]+"), rf"\1{REDACTED}"),
    (re.compile(r"\bllk_[A-Za-z0-9_\-]+"), REDACTED),
    (re.compile(r"(?i)\b(token|key|secret|password)=([^&\s'\"]+)"), rf"\1={REDACTED}"),
    # E-mail-like identifiers (account identifiers, users' addresses).
    (re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), REDACTED),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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
