"""A case's complete file, for counsel's memo and for export: the facts as received,
every analysis with its catalogue version, reasons, sign-off and overrides, the
timeline, the deadlines with how they were computed, and the audit history of the
demand, its accounts, holdings and nondisclosure orders, and the case.

`case_record` reads it in a fixed number of queries (13) whatever the size of the
case, and returns plain JSON data; `memo_pdf` renders the memo with WeasyPrint.
"""

import datetime as dt
import json
from collections import defaultdict
from operator import itemgetter

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import timezone

from cases import sign_off
from cases.actions.documents import documents_record
from cases.actions.orders import tasks_record
from cases.actions.preservation import request_record
from cases.actions.productions import productions_record
from cases.analysis import answer_extras
from cases.history import audit_history
from cases.models import Analysis, Case, CaseEvent, Deadline, HoldingOverride, in_force
from requests_app.models import Holding, NondisclosureOrder, TargetAccount

FORMAT = "lexloci.case-file/1"


def _who(user) -> str | None:
    return user.get_username() if user is not None else None


def _name(obj: Model | None) -> str | None:
    return str(obj) if obj is not None else None


def _audit_history(case: Case) -> list[dict]:
    """Every entry of the case's audit history (`cases.history`), oldest first: a
    change lists what changed since the previous record of the same row, a created or
    deleted row (or one whose earlier records are not in the case's) all its values."""
    entries = []
    for e in audit_history(case):
        entry = {"model": e.source, "object_id": e.object_id, "at": e.at, "type": e.action, "by": _who(e.by)}
        if e.record.history_type == "~" and e.previous is not None:
            entry["changes"] = [{"field": c.field.attname, "from": c.old, "to": c.new} for c in e.changes]
        else:
            entry["values"] = {f.attname: getattr(e.record, f.attname) for f in e.record.tracked_fields}
        entries.append(entry)
    entries.sort(key=lambda e: (e["at"], e["model"], e["object_id"]))
    return entries


def case_record(case_id: int) -> dict:
    """The complete file of one case as JSON data; raises Case.DoesNotExist."""
    case = Case.objects.select_related(
        "demand__instrument",
        "demand__issuing_jurisdiction",
        "demand__court",
        "demand__served_entity",
        "demand__created_by",
        "counsel",
    ).get(pk=case_id)
    demand = case.demand
    accounts = list(TargetAccount.objects.filter(demand=demand).select_related("residence").order_by("pk"))
    holdings = defaultdict(list)
    for h in (
        Holding.objects.filter(account__demand=demand)
        .select_related("data_location__country", "controlled_by")
        .order_by("account_id", "pk")
    ):
        holdings[h.account_id].append(
            {
                "id": h.pk,
                "category": h.category,
                "data_location": {"name": h.data_location.name, "country": h.data_location.country_id}
                if h.data_location
                else None,
                "controlled_by": h.controlled_by.name,
            }
        )
    ndos = list(NondisclosureOrder.objects.filter(demand=demand).order_by("starts_on", "pk"))
    analyses = list(  # oldest first: the last is the analysis in force
        Analysis.objects.filter(case=case).select_related("catalogue_version", "signed_off_by").newest_first().reverse()
    )
    # Which answer was signed, and does it stand (on a closed case: closed without one).
    case_sign_off, sign_offs = sign_off.of_analyses(analyses[::-1], closed=case.is_closed)
    own_sign_off = dict(zip((a.pk for a in analyses[::-1]), sign_offs, strict=True))
    overrides = defaultdict(list)  # of each analysis, in the order they supersede one another
    for o in HoldingOverride.objects.filter(analysis__case=case).select_related("by").in_order():
        overrides[o.analysis_id].append(
            {
                "id": o.pk,
                "item": o.item,
                "account": o.account,
                "category": o.category,
                "storage": o.storage or None,
                "reach": o.reach,
                "route": o.route,
                "reason": o.reason,
                "by": _who(o.by),
                "at": o.created_at,
            }
        )
    events = list(
        CaseEvent.objects.filter(case=case).select_related("by", "court").order_by("occurred_on", "recorded_at", "pk")
    )
    deadlines = list(Deadline.objects.filter(case=case).select_related("created_by").order_by("due_at", "pk"))
    return {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "case": {
            "id": case.pk,
            "status": case.status,
            "outcome": case.outcome,
            "appeal": {"status": case.appeal_status, "disposition": case.appeal_disposition},
            "contempt": {
                "status": case.contempt_status,
                "kind": case.contempt_kind,
                "by_stipulation": case.contempt_by_stipulation,
                "sanctions_amount": case.contempt_sanctions_amount,
                "sanctions_period": case.contempt_sanctions_period,
                "sanctions_currency": case.contempt_sanctions_currency,
                "sanctions_in_words": case.sanctions_in_words,
                "stayed": case.contempt_stayed,
            },
            "counsel": _who(case.counsel),
            "sign_off": case_sign_off.as_data() if case_sign_off is not None else None,
            "version": case.version,
            "created_at": case.created_at,
            "updated_at": case.updated_at,
        },
        "demand": {
            "id": demand.pk,
            "reference": demand.reference,
            "instrument": {
                "code": demand.instrument.code,
                "name": demand.instrument.name,
                "citation": demand.instrument.citation,
                "kind": demand.instrument.kind,
            },
            "kind": demand.instrument.kind,
            "issuing_jurisdiction": {"code": demand.issuing_jurisdiction_id, "name": demand.issuing_jurisdiction.name},
            "issuing_authority": demand.issuing_authority,
            "court": _name(demand.court),
            "served_entity": demand.served_entity.name,
            "served_at": demand.served_at,
            "received_at": demand.received_at,
            "emergency": demand.emergency,
            "due_at": demand.due_at,
            "extended": demand.extended,
            "pending_since": demand.pending_since,
            "document": demand.document.name or None,
            "created_by": _who(demand.created_by),
            "created_at": demand.created_at,
        },
        "accounts": [
            {
                "id": a.pk,
                "identifier": a.identifier,
                "service": a.service,
                "us_person": a.us_person,
                "residence": a.residence_id,
                "holdings": holdings.get(a.pk, []),
            }
            for a in accounts
        ],
        "nondisclosure_orders": [
            {
                "id": n.pk,
                "basis": n.basis,
                "starts_on": n.starts_on,
                "expires_on": n.expires_on,
                "extensions": n.extensions,
                "note": n.note,
            }
            for n in ndos
        ],
        "analyses": [
            {
                "id": a.pk,
                "as_of": a.as_of,
                "created_at": a.created_at,
                "catalogue_version": {"number": a.catalogue_version.number, "hash": a.catalogue_version.content_hash},
                "kind": a.result.get("kind", "production"),
                "doctrine": a.doctrine,
                "doctrine_authorities": a.result.get("doctrine_authorities", []),
                "fingerprint": a.fingerprint,
                "signed_off_by": _who(a.signed_off_by),
                "signed_off_at": a.signed_off_at,
                "sign_off_note": a.sign_off_note,
                "sign_off": own.as_data() if (own := own_sign_off[a.pk]) is not None else None,
                "result": a.result,
                "overrides": overrides.get(a.pk, []),
            }
            for a in analyses
        ],
        "events": [
            {
                "id": e.pk,
                "kind": e.kind,
                "track": e.track,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "occurred_on": e.occurred_on,
                "recorded_at": e.recorded_at,
                "by": _who(e.by),
                "court": e.court.name if e.court else e.court_name or None,
                "citation": e.citation,
                "note": e.note,
                "document": e.document.name or None,
                "data": e.data,
            }
            for e in events
        ],
        "deadlines": [
            {
                "id": d.pk,
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "label": d.label,
                "due_at": d.due_at,
                "source": d.source,
                "state": d.state,
                "computation": d.computation,
                "analysis": d.analysis_id,
                "previous": d.previous_id,
                "completed_on": d.completed_on,
                "created_at": d.created_at,
                "created_by": _who(d.created_by),
            }
            for d in deadlines
        ],
        "history": _audit_history(case),
        "tasks": tasks_record(case.pk),  # customer notices with their completion (1 query)
        "productions": productions_record(case.pk),  # with items and files' SHA-256 (3 queries)
        **documents_record(case.pk),  # "documents" and "correspondence" (2 queries)
        "request": request_record(case.demand),  # the request kind and its links: no query for most
    }


def to_json(record: dict) -> str:
    return json.dumps(record, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def as_plain_json(record: dict) -> dict:
    """The record with dates and decimals as strings, as a JSON client reads it."""
    return json.loads(to_json(record))


# ------------------------------------------------------------------------ the memo


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the memo does not fetch {url[:200]!r}")


def _memo_fetcher():
    """The memo embeds nothing from outside: no network, no files, no data URLs (the
    HTML carries text people typed). WeasyPrint 70 takes a `URLFetcher` (it reads the
    fetcher's `_fail_on_errors`; a bare function made every URL a 500): this one
    refuses every URL, and WeasyPrint logs a warning and renders on without it."""
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            _no_fetch(url)

    return NoFetch()


def memo_context(record: dict) -> dict:
    """What the memo template shows: the latest analysis with overrides applied, the
    earlier analyses in brief, the timeline and the deadlines."""
    analyses = record["analyses"]
    latest = analyses[-1] if analyses else None
    rows = []
    if latest is not None:
        applied = {o["item"]: o for o in in_force(latest["overrides"], key=itemgetter("item"))}
        for index, item in enumerate(latest["result"].get("items", [])):
            rows.append({"index": index, "item": item, "override": applied.get(index)})
    extras = {}
    if latest is not None:
        as_of = latest["as_of"]
        extras = answer_extras(latest["result"], dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of)
    return {
        "r": record,
        "latest": latest,
        "rows": rows,
        "earlier": list(reversed(analyses[:-1])),
        "today": timezone.localdate(),
        **extras,
    }


def memo_html(record: dict) -> str:
    return render_to_string("cases/memo.html", memo_context(record))


def memo_pdf(record: dict) -> bytes:
    from weasyprint import HTML

    return HTML(string=memo_html(record), url_fetcher=_memo_fetcher()).write_pdf()


def filename(record: dict, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in record["demand"]["reference"])
    return f"case-{record['case']['id']}-{safe}-{timezone.localdate().isoformat()}.{extension}"
