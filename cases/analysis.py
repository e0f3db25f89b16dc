"""Running the reach engine on a case and storing what it said.

`analyse_case` is the one place an Analysis is written: the intake view, the API,
the admin, the Celery tasks and the demo loader all call it.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from operator import attrgetter

from django.db import transaction
from django.utils import timezone

from cases.facts import facts_for_demand
from cases.models import OVERRIDE_ORDER, Analysis, Case, CaseEvent, Deadline, HoldingOverride, in_force
from jurisdictions import reach
from jurisdictions.loader import current_catalogue

# The fields of the contract that make up "the answer": a change in any of them is a
# change counsel must see. Reasons and citations are explanation, not answer.
ANSWER_ITEM_FIELDS = ("account", "category", "storage", "controlled_by", "reach", "route", "conflicts", "comity_motion")


def answer_of(result: dict) -> dict:
    return {
        "doctrine": result["doctrine"],
        "items": [{k: item[k] for k in ANSWER_ITEM_FIELDS} for item in result["items"]],
        "deadlines": result["deadlines"],
    }


def summarise(result: dict, overrides: dict[int, tuple[str, str]] | None = None) -> dict:
    """The short form of an answer that clients poll (the case status endpoint).

    With counsel's overrides (holding index -> (reach, route), the latest per holding),
    the reach and route counts are the effective answer's, and `overridden` says how
    many holdings counsel answered instead of the engine; conflicts and the comity
    motion stay the engine's findings.
    """
    overrides = overrides or {}
    items = [
        {**item, "reach": overrides[index][0], "route": overrides[index][1]} if index in overrides else item
        for index, item in enumerate(result.get("items", []))
    ]
    routes: dict[str, int] = {}
    for item in items:
        routes[item["route"]] = routes.get(item["route"], 0) + 1
    return {
        "doctrine": result.get("doctrine"),
        "holdings": len(items),
        "reachable": sum(1 for item in items if item["reach"] != reach.Reach.NONE),
        "routes": routes,
        "overridden": sum(1 for index in overrides if 0 <= index < len(items)),
        "conflicts": sorted({c for item in items for c in item["conflicts"]}),
        "comity_motion": any(item["comity_motion"] for item in items),
        "deadlines": result.get("deadlines", {}),
    }


def effective_overrides(analysis_id: int, model=None) -> dict[int, tuple[str, str]]:
    """Counsel's answer per holding of an analysis: the override in force of each.
    `model` is a migration's HoldingOverride, whose manager has no `in_force()`."""
    if model is None:
        rows = HoldingOverride.objects.filter(analysis_id=analysis_id).in_force()
    else:
        rows = in_force(model.objects.filter(analysis_id=analysis_id).order_by(*OVERRIDE_ORDER), attrgetter("item"))
    return {row.item: (row.reach, row.route) for row in rows}


def resummarise(analysis: Analysis) -> dict:
    """Store the analysis's summary again with its overrides (after counsel overrides)."""
    summary = summarise(analysis.result, effective_overrides(analysis.pk))
    Analysis.objects.filter(pk=analysis.pk).update(summary=summary)
    analysis.summary = summary
    return summary


def fingerprint(result: dict) -> str:
    return hashlib.sha256(json.dumps(answer_of(result), sort_keys=True).encode()).hexdigest()


def describe_changes(before: dict, after: dict) -> list[str]:
    """Plain-English differences between two answers, for the case's timeline."""
    changes = []
    old, new = answer_of(before), answer_of(after)
    if old["doctrine"] != new["doctrine"]:
        changes.append(f"doctrine: {old['doctrine'] or 'not available'} → {new['doctrine'] or 'not available'}")

    def key(item):
        return (item["account"], item["category"], item["storage"], item["controlled_by"])

    old_items = {key(i): i for i in old["items"]}
    new_items = {key(i): i for i in new["items"]}
    for k, item in new_items.items():
        label = f"{k[0]} {k[1]} stored in {k[2] or 'unknown'}"
        previous = old_items.get(k)
        if previous is None:
            changes.append(f"{label}: new holding, reach {item['reach']}, route {item['route']}")
            continue
        for field in ("reach", "route", "conflicts", "comity_motion"):
            if previous[field] != item[field]:
                changes.append(f"{label}: {field} {_show(previous[field])} → {_show(item[field])}")
    for k in old_items.keys() - new_items.keys():
        changes.append(f"{k[0]} {k[1]} stored in {k[2] or 'unknown'}: no longer a holding")
    for name, value in new["deadlines"].items():
        if old["deadlines"].get(name) != value:
            changes.append(f"{name.replace('_', ' ')}: {old['deadlines'].get(name) or 'none'} → {value or 'none'}")
    return changes


def _show(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return str(value).lower() if isinstance(value, bool) else str(value)


@dataclass(frozen=True)
class AnalysisOutcome:
    analysis: Analysis
    created: bool
    changes: list[str]


@transaction.atomic
def analyse_case(
    *, case: Case, as_of: dt.date | None = None, trigger: str = "facts changed", by=None
) -> AnalysisOutcome:
    """Run the engine on the case's demand and store the result if it is new.

    A new Analysis is stored when there is none yet, when the catalogue version or
    the as-of date differ from the latest one, or when the answer changed. When the
    answer changed from the previous analysis, a CaseEvent says what changed, and the
    computed deadlines follow the new answer (the old ones are marked superseded).
    """
    as_of = as_of or timezone.localdate()
    version, catalogue = current_catalogue()
    facts = facts_for_demand(case.demand_id, as_of)
    result = reach.result_to_contract(case.demand.reference, reach.evaluate(catalogue, facts))
    digest = fingerprint(result)
    latest = case.latest_analysis
    if latest and latest.fingerprint == digest and latest.catalogue_version_id == version.pk and latest.as_of == as_of:
        return AnalysisOutcome(latest, False, [])
    analysis = Analysis.objects.create(
        case=case,
        as_of=as_of,
        catalogue_version=version,
        doctrine=result["doctrine"] or "",
        result=result,
        fingerprint=digest,
        summary=summarise(result),
    )
    changes = describe_changes(latest.result, result) if latest and latest.fingerprint != digest else []
    if latest is not None and changes:
        CaseEvent.objects.create(
            case=case,
            kind="analysis_changed",
            occurred_on=as_of,
            by=by,
            note=f"Re-analysis ({trigger}) as of {as_of}, catalogue {version}: the answer changed.",
            data={"changes": changes, "analysis": analysis.pk, "previous_analysis": latest.pk},
        )
    elif latest is None:
        CaseEvent.objects.create(
            case=case,
            kind="analysed",
            occurred_on=as_of,
            by=by,
            note=f"First analysis as of {as_of}, catalogue {version}: "
            f"doctrine {result['doctrine'] or 'not available'}.",
            data={"analysis": analysis.pk},
        )
    _sync_computed_deadlines(case, analysis, result)
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return AnalysisOutcome(analysis, True, changes)


COMPUTED_KINDS = {"response_due": Deadline.Kind.RESPONSE, "comity_motion_due": Deadline.Kind.COMITY_MOTION}


def _sync_computed_deadlines(case: Case, analysis: Analysis, result: dict) -> None:
    """Open computed deadlines follow the answer; one counsel marked met or cancelled
    stays closed (a re-analysis must not bring back a deadline already dealt with)."""
    computed = list(case.deadlines.filter(source=Deadline.Source.COMPUTED).only("kind", "state", "due_at"))
    open_computed = {d.kind: d for d in computed if d.state == Deadline.State.OPEN}
    closed_kinds = {d.kind for d in computed if d.state in (Deadline.State.MET, Deadline.State.CANCELLED)}
    for name, kind in COMPUTED_KINDS.items():
        if kind in closed_kinds:
            continue
        due_text = result["deadlines"][name]
        current = open_computed.get(kind)
        due = dt.datetime.fromisoformat(due_text) if due_text else None
        if current is not None and current.due_at == due:
            continue
        if current is not None:
            current.state = Deadline.State.SUPERSEDED
            current.save(update_fields=["state"])
        if due is not None:
            Deadline.objects.create(
                case=case,
                kind=kind,
                due_at=due,
                source=Deadline.Source.COMPUTED,
                analysis=analysis,
                computation=result.get("deadline_working", {}).get(name) or {},
                label=f"Moved from {current.due_at.isoformat()}: re-analysis" if current else "",
            )
