"""Court events and notes recorded on a case's timeline."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import workflow
from cases.actions.common import (
    _check_date,
    _event,
    _lock,
    _save,
    _where,
)
from cases.models import (
    Case,
    CaseEvent,
)
from jurisdictions.models import Court

# --- Court events -------------------------------------------------------------------


@transaction.atomic
def record_event(
    *,
    case: Case,
    kind: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    court: Court | None = None,
    court_name: str = "",
    citation: str = "",
    note: str = "",
    document=None,
    data: dict | None = None,
) -> CaseEvent:
    """A court or world event that moves no track: a motion, a ruling, a stay of the
    case, a statute enacted."""
    if kind not in workflow.COURT_EVENTS:
        raise ValidationError(
            {"kind": f"'{kind}' is not an event kind; use one of: {', '.join(workflow.COURT_EVENTS)}."}
        )
    occurred_on = _check_date(occurred_on)
    where = _where(court, court_name, citation, note, document)
    locked = _lock(case, expected_version)
    _save(case, locked, [], by)
    return _event(locked, kind=kind, occurred_on=occurred_on, by=by, where=where, data=data or {})
