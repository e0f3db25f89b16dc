"""Running the reach engine on a case and storing what it said.

`analyse_case` is the one place an Analysis is written: the intake view, the API,
the admin, the Celery tasks and the demo loader all call it.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from operator import attrgetter

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases import workflow
from cases.facts import facts_for_demand
from cases.models import OVERRIDE_ORDER, Analysis, Case, CaseEvent, Deadline, HoldingOverride, TrackName, in_force
from cases.sign_off import replaced_because
from jurisdictions import reach
from jurisdictions.loader import current_catalogue

# The fields of the contract that make up "the answer": a change in any of them is a
# change counsel must see. Reasons and citations are explanation, not answer.
ANSWER_ITEM_FIELDS = (
    "account",
    "category",
    "storage",
    "controlled_by",
    "reach",
    "route",
    "conflicts",
    "comity_motion",
    "voluntary",
)
# The engine's deadlines (RULES.md §2 step 5), in words; every key is in a v3 result.
DEADLINE_NAMES = {
    "response_due": "response due",
    "comity_motion_due": "comity motion due",
    "preservation_expires": "preservation expires",
    "conflict_objection_due": "reasoned objection (Art. 17) due",
}


def answer_of(result: dict) -> dict:
    """The answer in a stored result. An analysis stored before RULES.md v3 lacks
    `kind` (every demand was a production then), `doctrine_authorities` (None: not
    said), each item's `voluntary` (None) and the two v3 deadlines (None)."""
    deadlines = result.get("deadlines") or {}
    return {
        "kind": result.get("kind", "production"),
        "doctrine": result["doctrine"],
        "doctrine_authorities": result.get("doctrine_authorities"),
        "items": [{k: item.get(k) for k in ANSWER_ITEM_FIELDS} for item in result["items"]],
        "deadlines": {**{name: None for name in DEADLINE_NAMES}, **deadlines},
    }


def authorities_cited(result: dict) -> list[dict]:
    """The doctrine's authorities (`doctrine_authorities`, RULES.md §4.2) with their
    citations and dates from the catalogue files: [{"code", "citation", "dated"}]. An
    id the files do not know (the instrument's own code, when no authority is dated
    yet) has no citation. An analysis from before v3 has none."""
    known = reach.shipped_catalogue(settings.CATALOGUE_DIR).authority_by_code
    cited = []
    for code in result.get("doctrine_authorities") or []:
        authority = known.get(code)
        cited.append(
            {
                "code": code,
                "citation": authority.citation if authority else "",
                "dated": authority.dated if authority else None,
            }
        )
    return cited


# The provision today, when the catalogue files name none for the day; before
# 2001-10-26 it was §2703(c)(1)(A) as enacted (RULES.md §2 step 4.8).
VOLUNTARY_PROVISION = "18 U.S.C. §2702(c)(6)"


def voluntary_provision(as_of: dt.date) -> str:
    """The provision that permits a US provider's voluntary disclosure on `as_of`, as
    the catalogue's disclosure permissions name it ("18 U.S.C. §2702(c)(6)")."""
    for permission in reach.shipped_catalogue(settings.CATALOGUE_DIR).disclosure_permissions:
        if (
            permission.country == "US"
            and permission.start <= as_of
            and (permission.end is None or as_of <= permission.end)
        ):
            return permission.citation.split(":", 1)[0].strip()
    return VOLUNTARY_PROVISION


def answer_extras(result: dict, as_of: dt.date) -> dict:
    """What the case file and the memo show beside the holdings (RULES.md v3): the
    request's kind, the doctrine's authorities with their citations, the provision
    behind a `voluntary` holding, and the engine's four deadlines in words (an
    analysis from before v3 has two; the others show as none)."""
    deadlines = result.get("deadlines") or {}
    working = result.get("deadline_working") or {}
    return {
        "answer_kind": result.get("kind", "production"),
        "doctrine_authorities": authorities_cited(result),
        "voluntary_provision": voluntary_provision(as_of),
        "engine_deadlines": [
            {
                "name": name,
                "label": words[0].upper() + words[1:],
                "due": deadlines.get(name),
                "shown": _instant(deadlines[name]) if deadlines.get(name) else None,
                # For the pages' `deadline_when` (cases/templatetags/zones.py): the due
                # time with the working that says which zone governs it.
                "deadline": {"due_at": deadlines[name], "computation": working.get(name) or {}}
                if deadlines.get(name)
                else None,
            }
            for name, words in DEADLINE_NAMES.items()
        ],
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
        "kind": result.get("kind", "production"),
        "doctrine": result.get("doctrine"),
        "doctrine_authorities": result.get("doctrine_authorities", []),
        "holdings": len(items),
        "reachable": sum(1 for item in items if item["reach"] != reach.Reach.NONE),
        "routes": routes,
        "overridden": sum(1 for index in overrides if 0 <= index < len(items)),
        "conflicts": sorted({c for item in items for c in item["conflicts"]}),
        "comity_motion": any(item["comity_motion"] for item in items),
        "voluntary": sum(1 for item in items if item.get("voluntary")),
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
    """What changed between two answers, in words, one entry per thing that changed:
    the request's kind, the doctrine and its authorities, each holding (all its changes
    in one entry: "Holding 2 (traffic, CN): reach none → control; route mlat → direct;
    voluntary disclosure now permitted") and each deadline ("preservation expires
    2024-06-03 04:00 UTC (new)"). Holdings are numbered as the new answer lists them.

    A field an analysis stored before RULES.md v3 did not have is a change only when
    the new answer says something: voluntary disclosure permitted, a deadline.
    """
    changes = []
    old, new = answer_of(before), answer_of(after)
    if old["kind"] != new["kind"]:
        changes.append(f"request kind {old['kind']} → {new['kind']}")
    if old["doctrine"] != new["doctrine"]:
        changes.append(f"doctrine {old['doctrine'] or 'not available'} → {new['doctrine'] or 'not available'}")
    if old["doctrine_authorities"] is not None and old["doctrine_authorities"] != new["doctrine_authorities"]:
        changes.append(
            f"doctrine rests on {_show(new['doctrine_authorities'] or [])} (was {_show(old['doctrine_authorities'])})"
        )
    accounts = {item["account"] for item in old["items"] + new["items"]}
    old_items = _keyed(old["items"])
    for key, (index, item) in _keyed(new["items"]).items():
        label = _holding_label(index, item, name_account=len(accounts) > 1)
        previous = old_items.pop(key, None)
        if previous is None:
            words = f"new holding, reach {item['reach']}, route {item['route']}"
            if item["voluntary"]:
                words += ", voluntary disclosure permitted"
            changes.append(f"{label}: {words}")
            continue
        if parts := _item_changes(previous[1], item):
            changes.append(f"{label}: {'; '.join(parts)}")
    for index, item in old_items.values():
        changes.append(f"{_holding_label(index, item, name_account=len(accounts) > 1)}: no longer a holding")
    for name, words in DEADLINE_NAMES.items():
        was, now = old["deadlines"].get(name), new["deadlines"].get(name)
        if was == now:
            continue
        if was is None:
            changes.append(f"{words} {_instant(now)} (new)")
        elif now is None:
            changes.append(f"{words}: no longer (was {_instant(was)})")
        else:
            changes.append(f"{words} {_instant(was)} → {_instant(now)}")
    return changes


def changes_in_words(changes: list[str], *, limit: int = 12) -> str:
    """The changes as one sentence for a timeline note: "Holding 2 (traffic, CN): reach
    none → control; route mlat → direct; preservation expires 2024-06-03 04:00 UTC
    (new)." Past `limit` entries it says how many more there are (the event's data
    lists them all)."""
    if not changes:
        return "Nothing in the answer changed."
    shown = changes[:limit]
    text = "; ".join(shown)
    if len(changes) > limit:
        more = len(changes) - limit
        text += f"; and {more} more change{'s' if more > 1 else ''} (listed below)"
    return text[0].upper() + text[1:] + "."


def _keyed(items: list[dict]) -> dict[tuple, tuple[int, dict]]:
    """Items by what identifies a holding (account, category, storage, controller; a
    count tells apart two holdings those do not), with their position (1-based)."""
    keyed: dict[tuple, tuple[int, dict]] = {}
    seen: dict[tuple, int] = {}
    for index, item in enumerate(items, start=1):
        base = (item["account"], item["category"], item["storage"], item["controlled_by"])
        seen[base] = seen.get(base, -1) + 1
        keyed[(*base, seen[base])] = (index, item)
    return keyed


def _holding_label(index: int, item: dict, *, name_account: bool) -> str:
    where = item["storage"] or "unknown place"
    who = f"{item['account']}, " if name_account else ""
    return f"Holding {index} ({who}{item['category']}, {where})"


def _item_changes(old: dict, new: dict) -> list[str]:
    parts = []
    for field in ("reach", "route"):
        if old[field] != new[field]:
            parts.append(f"{field} {old[field]} → {new[field]}")
    added = sorted(set(new["conflicts"]) - set(old["conflicts"]))
    dropped = sorted(set(old["conflicts"]) - set(new["conflicts"]))
    if added:
        parts.append(f"conflict{'s' if len(added) > 1 else ''} {', '.join(added)} now in force")
    if dropped:
        parts.append(f"conflict{'s' if len(dropped) > 1 else ''} {', '.join(dropped)} no longer in force")
    if old["comity_motion"] != new["comity_motion"]:
        parts.append("comity motion now available" if new["comity_motion"] else "comity motion no longer available")
    # None: an analysis from before RULES.md v3, which did not say.
    if bool(old["voluntary"]) != bool(new["voluntary"]):
        parts.append(
            "voluntary disclosure now permitted" if new["voluntary"] else "voluntary disclosure no longer permitted"
        )
    return parts


def _instant(text: str | None) -> str:
    """An engine instant ("2024-06-03T04:00:00Z") as the timeline says it."""
    if not text:
        return "none"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


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

    A sign-off of the previous analysis no longer stands: the new one awaits counsel's.
    The first analysis moves a case still in intake to counsel's review (a system
    event, `workflow.ON_FIRST_ANALYSIS`).
    """
    as_of = as_of or timezone.localdate()
    # The case row locked, as every action locks it: a sign-off cannot slip in between
    # reading the latest analysis and storing the next, nor two analyses race.
    locked = Case.objects.select_for_update().get(pk=case.pk)
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
    replaced = False
    if latest is not None and latest.fingerprint == digest and latest.sign_off_stands:
        _carry_sign_off(latest, analysis)  # same answer, another day or catalogue: it still stands
    elif latest is not None:
        replaced = _replace_sign_off(latest, analysis)
    if latest is not None and changes:
        CaseEvent.objects.create(
            case=case,
            kind="analysis_changed",
            occurred_on=as_of,
            by=by,
            note=f"Re-analysis ({trigger}) as of {as_of}, catalogue {version}. The answer changed: "
            f"{changes_in_words(changes)}",
            data={
                "changes": changes,
                "analysis": analysis.pk,
                "previous_analysis": latest.pk,
                "sign_off_voided": latest.pk if replaced else None,
            },
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
    if latest is None and locked.status in workflow.ON_FIRST_ANALYSIS:
        demand = case.demand
        arrived = demand.served_at or demand.received_at
        _move_on_first_analysis(case, locked, timezone.localdate(arrived) if arrived else as_of)
    else:
        Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    return AnalysisOutcome(analysis, True, changes)


def _carry_sign_off(previous: Analysis, analysis: Analysis) -> None:
    """The new analysis gives the same answer (only the as-of date or the catalogue's
    wording differ): counsel's standing sign-off carries over to it, saying so, so the
    nightly re-analysis does not send every signed case back for sign-off."""
    note = f"Carried over from analysis {previous.pk} (as of {previous.as_of.isoformat()}): the answer is unchanged."
    analysis.signed_off_by_id = previous.signed_off_by_id
    analysis.signed_off_at = previous.signed_off_at
    analysis.sign_off_note = f"{previous.sign_off_note} {note}".strip()
    analysis.save(update_fields=["signed_off_by", "signed_off_at", "sign_off_note"])


def _replace_sign_off(previous: Analysis, analysis: Analysis) -> bool:
    """A sign-off stands for the answer it signed: the previous analysis's standing
    sign-off is recorded as replaced by `analysis` (one voided by an override or an
    amendment keeps its reason). True when one was."""
    return bool(
        Analysis.objects.filter(pk=previous.pk, signed_off_at__isnull=False, sign_off_voided_at__isnull=True).update(
            sign_off_voided_at=analysis.created_at, sign_off_voided_reason=replaced_because(analysis.as_of)
        )
    )


def _move_on_first_analysis(case: Case, locked: Case, occurred_on: dt.date) -> None:
    """The first analysis is stored: the case goes where `workflow.ON_FIRST_ANALYSIS`
    says, with a new version and a status event by nobody (the system). It is dated
    the day the demand was served (else received), the earliest day any step of the
    case may have: a person recording the case's history afterwards, or a replay, may
    date their own steps from then on (steps of a track are kept in date order)."""
    current = locked.status
    locked.status = workflow.ON_FIRST_ANALYSIS[current]
    locked.version += 1
    locked._history_user = None  # type: ignore[attr-defined]  # django-simple-history's: no person made it
    locked.save(update_fields=["status", "version", "updated_at"])
    for name in ("status", "version", "updated_at"):
        setattr(case, name, getattr(locked, name))
    CaseEvent.objects.create(
        case=locked,
        kind="status_changed",
        track=TrackName.STATUS,
        from_state=current,
        to_state=locked.status,
        occurred_on=occurred_on,
        by=None,
        note=workflow.FIRST_ANALYSIS_NOTE,
        data={"system": True},
    )


# The engine's deadlines (RULES.md §2 step 5) that become the case's computed deadlines.
COMPUTED_KINDS = {
    "response_due": Deadline.Kind.RESPONSE,
    "comity_motion_due": Deadline.Kind.COMITY_MOTION,
    "preservation_expires": Deadline.Kind.PRESERVATION_EXPIRES,
    "conflict_objection_due": Deadline.Kind.CONFLICT_OBJECTION,
}


def _sync_computed_deadlines(case: Case, analysis: Analysis, result: dict) -> None:
    """Open computed deadlines follow the answer; one counsel marked met or cancelled
    stays closed (a re-analysis must not bring back a deadline already dealt with)."""
    computed = list(case.deadlines.filter(source=Deadline.Source.COMPUTED).only("kind", "state", "due_at"))
    open_computed = {d.kind: d for d in computed if d.state == Deadline.State.OPEN}
    closed_kinds = {d.kind for d in computed if d.state in (Deadline.State.MET, Deadline.State.CANCELLED)}
    for name, kind in COMPUTED_KINDS.items():
        if kind in closed_kinds:
            continue
        due_text = result["deadlines"].get(name)  # a result from before RULES.md v3 has two
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
