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


@transaction.atomic
def sign_off_analysis(*, case: Case, analysis_id: int, note: str, by, expected_version: int | None = None) -> CaseEvent:
    """Counsel signs off the latest analysis. Signing off an older one is refused: a
    newer answer exists and must be reviewed first."""
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "analysis", "its analysis")
    latest = Analysis.objects.select_for_update().filter(case=locked).newest_first().first()
    if latest is None or latest.pk != analysis_id:
        raise ValidationError({"analysis": "A newer analysis exists: review it before signing off."})
    if latest.signed_off_at is not None:
        raise ValidationError({"analysis": "This analysis is already signed off."})
    latest.signed_off_by = by
    latest.signed_off_at = timezone.now()
    latest.sign_off_note = note
    latest.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_note"])
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
        },
    )
    return override
