"""Log filters for what Django itself logs about requests.

`ForbiddenWithoutTraceback`: Django logs every PermissionDenied a view raises as a
warning on `django.request` *with* the exception, so each refused role wrote a
traceback to the log. A 403 is an answer, not a fault: one warning line
("Forbidden (Permission denied): /cases/7/") says all there is to say.
"""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
