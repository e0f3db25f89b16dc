"""Who works on a case: assigning it to a member of counsel, or unassigning it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import counsel_members
from cases.actions.common import (
    _event,
    _lock,
    _refuse_if_closed,
    _save,
    _where,
)
from cases.models import Case, CaseEvent


def _name(user) -> str:
    return user.get_username() if user is not None else "unassigned"


@transaction.atomic
def assign(*, case: Case, counsel, by, expected_version: int | None = None, note: str = "") -> CaseEvent:
    """Assign the case to `counsel`, a member of counsel (active, in the counsel role),
    or unassign it (None). Counsel assigns, from the case file or the API; the "mine"
    and "unassigned" queues follow. An unchanged assignment and a closed case are refused."""
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "counsel", "its assignment")
    if counsel is not None and not counsel_members().filter(pk=counsel.pk).exists():
        raise ValidationError(
            {"counsel": f"{_name(counsel)} is not active counsel: a case is assigned to a member of counsel."}
        )
    new_id = counsel.pk if counsel is not None else None
    if locked.counsel_id == new_id:
        already = f"already assigned to {_name(counsel)}" if counsel is not None else "already unassigned"
        raise ValidationError({"counsel": f"The case is {already}."})
    previous = locked.counsel  # one query, for the event's words
    locked.counsel = counsel
    _save(case, locked, ["counsel"], by)
    words = f"Assigned to {_name(counsel)}" if counsel is not None else "Unassigned"
    return _event(
        locked,
        kind="assigned",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(None, "", "", f"{words} (was {_name(previous)}).{f' {note}' if note else ''}", None),
        data={
            "counsel": _name(counsel) if counsel is not None else None,
            "previous": _name(previous) if previous is not None else None,
        },
    )
