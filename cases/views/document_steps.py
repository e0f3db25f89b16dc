"""Adding to the case's documents and correspondence from the case file, and writing a
letter from the case: each calls one action in cases/actions/documents.py; a refusal
is shown on the page with the form kept (422), a stale version with the fresh case (409).

A letter is drafted from the case (templates/cases/letters/<kind>.txt: the reference,
the authority, the instrument and the analysis's reasons), edited by counsel and saved
as sent with its PDF, rendered by WeasyPrint as the memo is (nothing fetched).
"""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases import actions, export
from cases.actions import documents as document_actions
from cases.models import Analysis, Case, Correspondence
from cases.views.case_file import _case_file
from cases.views.common import REFUSALS, _get_case_for_user, show_refusal
from cases.views.documents import PAGE_ADD_ROLES as ADD_ROLES
from cases.views.documents import PAGE_LETTER_ROLES as LETTER_ROLES
from cases.views.documents import CorrespondenceForm, DocumentForm, LetterForm


def _run(request: HttpRequest, case: Case, key: str, form, act, success: str) -> HttpResponse:
    """The action with the form's input; the case file again with the form open on a
    refusal (422), with the fresh case and the input kept on a stale version (409)."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except actions.StaleCase as exc:
            fresh = _get_case_for_user(request, case.pk)
            data = cast(QueryDict, form.data).copy()
            data[form.add_prefix("version")] = str(fresh.version)
            form.data = data
            context = _case_file(request, fresh, bound={key: form})
            context["conflict"] = str(exc)
            return render(request, "cases/detail.html", context, status=409)
        except ValidationError as exc:
            case.refresh_from_db()
            form.add_action_error(exc)
        else:
            messages.success(request, success)
            return redirect(f"{reverse('cases:detail', args=[case.pk])}#{'documents' if key == 'document' else key}")
    return render(request, "cases/detail.html", _case_file(request, case, bound={key: form}), status=422)


@require_POST
def add_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A PDF joins the case's file (intake and counsel; once closed, counsel)."""
    case = _get_case_for_user(request, pk, *ADD_ROLES)
    form = DocumentForm(request.POST, request.FILES, prefix="document")

    def act(data: dict) -> None:
        document_actions.add_case_document(
            case,
            kind=data["kind"],
            title=data["title"],
            file=data["file"],
            by=request.user,
            expected_version=data["version"],
        )

    return _run(request, case, "document", form, act, "Document added.")


@require_POST
def record_correspondence(request: HttpRequest, pk: int) -> HttpResponse:
    """A letter, e-mail or call logged, with its attachments."""
    case = _get_case_for_user(request, pk, *ADD_ROLES)
    form = CorrespondenceForm(request.POST, request.FILES, prefix="correspondence")

    def act(data: dict) -> None:
        document_actions.record_correspondence(
            case,
            direction=data["direction"],
            occurred_on=data["occurred_on"],
            channel=data["channel"],
            counterpart=data["counterpart"],
            summary=data["summary"],
            attachments=data["attachments"],
            by=request.user,
            expected_version=data["version"],
        )

    return _run(request, case, "correspondence", form, act, "Correspondence recorded.")


# --- Letters -------------------------------------------------------------------------


def _holdings(case: Case) -> tuple[Analysis | None, list[dict]]:
    """The latest analysis and its holdings as answered: counsel's override in force
    (reach, route) in place of the engine's, the engine's reasons kept."""
    latest = case.analyses.newest_first().first()
    if latest is None:
        return None, []
    overrides = {o.item: o for o in latest.overrides.in_force()}
    rows = []
    for index, item in enumerate(latest.result.get("items", [])):
        row = dict(item)
        if (o := overrides.get(index)) is not None:
            row.update(reach=o.reach, route=o.route, override_reason=o.reason)
        rows.append(row)
    return latest, rows


def draft_letter(case: Case, letter: str) -> str:
    """The letter's first draft, from the case and its latest analysis."""
    demand = case.demand
    latest, rows = _holdings(case)
    conflicts = [
        {"row": row, "reasons": [r for r in row.get("reasons", []) if r.get("code") in row.get("conflicts", [])]}
        for row in rows
        if row.get("conflicts")
    ]
    context = {
        "case": case,
        "demand": demand,
        "instrument": demand.instrument,
        "court": demand.court,
        "served_on": timezone.localdate(demand.served_at) if demand.served_at else None,
        "today": timezone.localdate(),
        "analysis": latest,
        "rows": rows,
        "redirect": [row for row in rows if row.get("route") == "redirect"],
        "mlat": [row for row in rows if row.get("route") == "mlat"],
        "treaties": sorted({name for row in rows if row.get("route") == "mlat" for name in row.get("mlat", [])}),
        "controllers": sorted({row["controlled_by"] for row in rows if row.get("route") == "redirect"}),
        "conflicts": conflicts,
        "objection_due": (latest.result.get("deadlines") or {}).get("conflict_objection_due") if latest else None,
    }
    return render_to_string(f"cases/letters/{letter}.txt", context).strip() + "\n"


def letter_pdf(body: str, title: str) -> bytes:
    """The letter as sent, a PDF: its text as typed, escaped, nothing fetched."""
    from weasyprint import HTML

    html = render_to_string("cases/letters/letter.html", {"title": title, "paragraphs": body.split("\n\n")})
    return HTML(string=html, url_fetcher=export._memo_fetcher()).write_pdf()


@require_http_methods(["GET", "POST"])
def new_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """`?kind=` a letter kind: its draft from the case, to edit and save as sent."""
    case = _get_case_for_user(request, pk, *LETTER_ROLES)
    if request.method == "POST":
        form = LetterForm(request.POST, prefix="letter")
        if form.is_valid():
            data = form.cleaned_data
            try:
                document_actions.send_letter(
                    case,
                    letter=data["letter"],
                    counterpart=data["counterpart"],
                    body=data["body"],
                    occurred_on=data["occurred_on"],
                    channel=data["channel"],
                    by=request.user,
                    expected_version=data["version"],
                    render_pdf=letter_pdf,
                )
            except REFUSALS as exc:
                if isinstance(exc, actions.StaleCase):
                    case.refresh_from_db()
                show_refusal(form, exc)
                status = 409 if isinstance(exc, actions.StaleCase) else 422
                return _letter_page(request, case, form, status=status)
            messages.success(request, "Letter saved as sent.")
            return redirect(f"{reverse('cases:detail', args=[case.pk])}#correspondence")
        return _letter_page(request, case, form, status=422)
    kind = request.GET.get("kind", "")
    if kind not in Correspondence.Letter.values:
        raise Http404("No such letter.")
    form = LetterForm(
        prefix="letter",
        initial={
            "version": case.version,
            "letter": kind,
            "counterpart": case.demand.issuing_authority,
            "occurred_on": timezone.localdate(),
            "body": draft_letter(case, kind),
        },
    )
    return _letter_page(request, case, form, status=200)


def _letter_page(request: HttpRequest, case: Case, form: LetterForm, *, status: int) -> HttpResponse:
    kind = form["letter"].value()
    label = Correspondence.Letter(kind).label if kind in Correspondence.Letter.values else "Letter"
    context = {"case": case, "demand": case.demand, "form": form, "label": label}
    return render(request, "cases/letter_form.html", context, status=status)
