"""Counsel's decision on an emergency disclosure request: disclose or decline, the
good-faith belief it rests on, and how the requester was verified.

18 U.S.C. §2702(b)(8) lets a provider disclose the contents of communications, and
§2702(c)(4) its records about a customer, to a governmental entity "if the provider,
in good faith, believes that an emergency involving danger of death or serious
physical injury to any person requires disclosure without delay". The disclosure is
voluntary: the decision and its basis are the provider's, and the record keeps both.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from cases.actions.common import _event, _history_user, _lock, _refuse_if_closed, _save, _where
from cases.models import Case, EmergencyDisclosureDecision
from requests_app.models import Demand, RequestKind

Decision = EmergencyDisclosureDecision.Decision
Verification = EmergencyDisclosureDecision.Verification
# The provision the decision rests on, by what is disclosed.
PROVISIONS = "18 U.S.C. §2702(b)(8) (contents) and §2702(c)(4) (records)"


def decision_refusal(user) -> str | None:
    """Why `user` may not record a disclosure decision; None when they may (counsel,
    and API clients acting for counsel)."""
    if user is not None and not roles.has_role(user, roles.COUNSEL, roles.API_CLIENT):
        return "Only counsel may decide on an emergency disclosure request."
    return None


@transaction.atomic
def record_disclosure_decision(
    *,
    case: Case,
    decision: str,
    basis: str,
    verification: str,
    verification_detail: str,
    by,
    expected_version: int | None,
) -> EmergencyDisclosureDecision:
    """Record counsel's decision on the case's emergency disclosure request, with the
    good-faith belief of danger of death or serious physical injury and what supports
    it (`basis`), and how the requester's identity was verified. Emergency disclosure
    requests only, open cases; a later decision (say, a decline reversed on a call-back)
    is recorded beside the earlier one, which stays on the record. One
    "disclosure_decided" event."""
    if refusal := decision_refusal(by):
        raise PermissionDenied(refusal)
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = f"'{decision}' is not a decision; use one of: {', '.join(Decision.values)}."
    basis = (basis or "").strip()
    if not basis:
        errors["basis"] = (
            "Say what supports the good-faith belief that an emergency involving danger of death or serious "
            "physical injury requires disclosure without delay (or why there is none)."
        )
    if verification not in Verification.values:
        errors["verification"] = (
            f"'{verification}' is not a means of verification; use one of: {', '.join(Verification.values)}."
        )
    verification_detail = (verification_detail or "").strip()
    if not verification_detail:
        errors["verification_detail"] = "Say how the requester's identity was confirmed: number called, by whom, when."
    if errors:
        raise ValidationError(errors)
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "case", "its disclosure decision")
    kind = Demand.objects.filter(pk=locked.demand_id).values_list("request_kind", flat=True).get()
    if kind != RequestKind.EMERGENCY_DISCLOSURE:
        raise ValidationError(
            {"case": "Only an emergency disclosure request takes a disclosure decision; this case's demand is a "
             f"{RequestKind(kind).label.lower()}."}
        )  # fmt: skip
    row = EmergencyDisclosureDecision(
        case=locked, decision=decision, basis=basis, verification=verification, verification_detail=verification_detail
    )
    row.decided_by = by
    for field, messages in _field_errors(row).items():
        errors[field] = " ".join(messages)
    if errors:
        raise ValidationError(errors)
    _history_user(row, by)
    row.save()
    _save(case, locked, [], by)
    _event(
        locked,
        kind="disclosure_decided",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(
            None,
            "",
            PROVISIONS,
            f"{row.get_decision_display()}: {basis} Verified: {row.get_verification_display()}, {verification_detail}",
            None,
        ),
        data={"decision": row.pk, "disclose": decision == Decision.DISCLOSE, "verification": verification},
    )
    return row


def _field_errors(row: EmergencyDisclosureDecision) -> dict[str, list[str]]:
    try:
        row.clean_fields(exclude=["case", "decided_by"])
    except ValidationError as error:
        return error.message_dict
    return {}
