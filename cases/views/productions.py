"""Counsel records a production on the case file; anyone of the legal team downloads
a document of a case (a production's file, a letter, an order)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from cases.actions import StaleCase
from cases.actions.productions import record_production
from cases.models import Case, CaseDocument
from cases.views.case_file import _case_file
from cases.views.common import READ_ROLES, REFUSALS, REVIEW_ROLES, _get_case_for_user, _require_role, show_refusal
from cases.views.production_section import PREFIX, ProductionForm, _posted_items, productions_context


def _page(request: HttpRequest, case: Case, form: ProductionForm, *, status: int, conflict: str = "") -> HttpResponse:
    context = _case_file(request, case)
    context.update(productions_context(request, case, context, form=form, posted=request.POST))
    if conflict:
        context["conflict"] = conflict
    return render(request, "cases/detail.html", context, status=status)


@require_POST
def record_production_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Counsel records a production: its facts, the holdings produced or withheld, the files."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    form = ProductionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, case, form, status=422)
    data = form.cleaned_data
    try:
        production = record_production(
            case,
            number=data["number"],
            produced_on=data["produced_on"],
            recipient=data["recipient"],
            method=data["method"],
            items=_posted_items(request.POST),
            files=data["documents"],
            note=data["note"],
            by=request.user,
            expected_version=data["version"],
        )
    except StaleCase as exc:
        fresh = _get_case_for_user(request, case.pk, *REVIEW_ROLES)
        posted = request.POST.copy()
        posted[f"{PREFIX}-version"] = str(fresh.version)
        form = ProductionForm(posted)
        form.is_valid()
        return _page(request, fresh, form, status=409, conflict=str(exc))
    except REFUSALS as exc:
        case.refresh_from_db()
        show_refusal(form, exc)
        return _page(request, case, form, status=422)
    messages.success(request, f"Production {production.number} recorded.")
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#productions")


@require_GET
def document_download(request: HttpRequest, pk: int, doc: int) -> FileResponse:
    """Any document of the case (a production's file, a letter, an order), only to the
    legal team: an attachment with its recorded content type, never sniffed or cached."""
    _require_role(request, *READ_ROLES)
    document = get_object_or_404(
        CaseDocument.objects.only("pk", "case_id", "file", "title", "content_type"), pk=doc, case_id=pk
    )
    if not document.file:
        raise Http404("This document has no file.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The document file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.title or f"case-{pk}-document-{doc}",
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
