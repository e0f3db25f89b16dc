"""Counsel's review of an analysis: signing it off, overriding a holding's answer."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.actions.common import (
    _event,
    _lock,
    _refuse_if_closed,
    _save,
    _where,
)
from cases.analysis import resummarise
from cases.models import (
    Analysis,
    Case,
    CaseEvent,
    HoldingOverride,
)

# --- Counsel review -----------------------------------------------------------------


def void_sign_off(locked: Case, *, reason: str) -> Analysis | None:
    """The standing sign-off of the case's latest analysis no longer stands: `reason`
    says what changed the answer it signed (an override, an amendment of the facts).

    Call it inside the action's transaction with the case row locked (`_lock`); the
    action's own timeline event says what happened, so this writes none. Returns the
    analysis whose sign-off was voided, or None when no sign-off stood.
    """
    latest = Analysis.objects.select_for_update().filter(case=locked).newest_first().first()
    if latest is None or not latest.sign_off_stands:
        return None
    latest.sign_off_voided_at = timezone.now()
    latest.sign_off_voided_reason = reason
    latest.save(update_fields=["sign_off_voided_at", "sign_off_voided_reason"])
    return latest


@transaction.atomic
def sign_off_analysis(*, case: Case, analysis_id: int, note: str, by, expected_version: int | None = None) -> CaseEvent:
    """Counsel signs off the latest analysis. Signing off an older one is refused: a
    newer answer exists and must be reviewed first."""
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "analysis", "its analysis")
    latest = Analysis.objects.select_for_update().filter(case=locked).newest_first().first()
    if latest is None or latest.pk != analysis_id:
        raise ValidationError({"analysis": "A newer analysis exists: review it before signing off."})
    if latest.sign_off_stands:
        raise ValidationError({"analysis": "This analysis is already signed off."})
    latest.signed_off_by = by
    latest.signed_off_at = timezone.now()
    latest.sign_off_note = note
    latest.sign_off_voided_at = None  # signed again: the new sign-off stands
    latest.sign_off_voided_reason = ""
    signed = ["signed_off_by", "signed_off_at", "sign_off_note", "sign_off_voided_at", "sign_off_voided_reason"]
    latest.save(update_fields=signed)
    _save(case, locked, [], by)
    return _event(
        locked,
        kind="analysis_signed_off",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(None, "", "", note, None),
        data={"analysis": latest.pk},
    )


@transaction.atomic
def override_holding(
    *, analysis, item: int, reach: str, route: str, reason: str, by, expected_version: int | None = None
):
    """Counsel's own answer for one holding of an analysis, with a required reason,
    and its timeline entry. The engine's answer stays on record beside it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for overriding the engine's answer."})
    items = analysis.result.get("items", [])
    if not isinstance(item, int) or not 0 <= item < len(items):
        raise ValidationError({"item": "No such holding in this analysis."})
    locked = _lock(analysis.case_id, expected_version)
    _refuse_if_closed(locked, "reach", "its analysis")
    row = items[item]
    standing = HoldingOverride.objects.filter(analysis=analysis, item=item).in_force()
    answer = (standing[0].reach, standing[0].route) if standing else (row["reach"], row["route"])
    if (reach, route) == answer:
        whose = "the override in force" if standing else "the engine's answer"
        raise ValidationError(
            {"reach": f"{reach}/{route} is already {whose} for this holding: an override must change the answer."}
        )
    override = HoldingOverride(
        analysis=analysis,
        item=item,
        account=row["account"],
        category=row["category"],
        storage=row.get("storage") or "",
        reach=reach,
        route=route,
        reason=reason,
        by=by,
    )
    override.full_clean(exclude=["analysis", "by"])
    override.save()
    resummarise(analysis)  # the status endpoint reports counsel's answer, not the engine's
    voided = void_sign_off(locked, reason=f"counsel overrode holding {item + 1} ({reach}/{route})")
    _save(None, locked, [], by)
    _event(
        locked,
        kind="holding_overridden",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(None, "", "", reason, None),
        data={
            "analysis": analysis.pk,
            "item": item,
            "holding": f"{row['account']} {row['category']} stored in {row.get('storage') or 'unknown'}",
            "engine": {"reach": row["reach"], "route": row["route"]},
            "override": {"reach": reach, "route": route},
            "sign_off_voided": voided.pk if voided is not None else None,
        },
    )
    return override
