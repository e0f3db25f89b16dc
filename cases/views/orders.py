"""Nondisclosure orders on the case file: extending one (its own page) and the tasks
they open, the customer's notice above all (a form on the case file). Each step calls
one action of `cases/actions/orders.py`; a refusal is shown with the form kept."""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases import actions
from cases.forms import CaseStepForm, VersionedForm, _date_widget
from cases.models import Case, CaseTask
from cases.views.common import REVIEW_ROLES, _get_case_for_user
from jurisdictions.models import Court
from requests_app.models import NondisclosureOrder

NOTICE_MEANS_CHOICES = list(CaseTask._meta.get_field("notice_means").choices or ())


class ExtendOrderForm(CaseStepForm):
    """A court extends a nondisclosure order: the new end date, and the court's order
    (when it was made, by which court, its citation, the PDF)."""

    expires_on = forms.DateField(widget=_date_widget(), label="New end date")
    field_order = ["version", "expires_on", "occurred_on", "court", "court_name", "citation", "note", "document"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].label = "Date of the court's order"


class CustomerNoticeForm(VersionedForm):
    """The customer was told, once the order had expired: when, how, and a note."""

    notice_given_on = forms.DateField(widget=_date_widget(), label="Customer told on")
    notice_means = forms.ChoiceField(choices=[("", "—"), *NOTICE_MEANS_CHOICES], label="By")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("notice_given_on", timezone.localdate())


def _courts() -> list[Court]:
    return list(Court.objects.only("pk", "name").order_by("name"))


def task_key(task_pk: int) -> str:
    return f"task-{task_pk}"


def orders_context(case: Case, ndos: list[NondisclosureOrder], *, can_review: bool, bound: dict | None = None) -> dict:
    """The case file's nondisclosure orders (with counsel's link to extend each one that
    has an end date) and its tasks (with counsel's form to record the customer's notice
    on each open one). One query, none without orders: a task always names an order."""
    may_change = can_review and not case.is_closed
    for order in ndos:
        extendable = may_change and order.expires_on is not None
        order.extend_url = reverse("cases:extend_ndo", args=[case.pk, order.pk]) if extendable else ""  # type: ignore[attr-defined]
    tasks = (
        list(case.tasks.select_related("nondisclosure_order", "done_by").order_by("done_at", "due_on", "pk"))
        if ndos
        else []
    )
    bound = bound or {}
    initial = {"version": case.version}
    for task in tasks:
        key = task_key(task.pk)
        form = None
        if can_review and task.done_at is None and task.kind == CaseTask.Kind.CUSTOMER_NOTICE:
            form = bound.get(key) or CustomerNoticeForm(prefix=key, initial=initial)
        task.notice_form = form  # type: ignore[attr-defined]  # for the template
        task.notice_open = key in bound  # type: ignore[attr-defined]
        task.complete_url = reverse("cases:complete_task", args=[case.pk, task.pk])  # type: ignore[attr-defined]
    # A refused notice on a task no longer offered (done meanwhile, from a stale page): say why.
    offered = {task_key(t.pk) for t in tasks if t.notice_form is not None}  # type: ignore[attr-defined]
    errors = [e for key, form in bound.items() if key not in offered for errs in form.errors.values() for e in errs]
    return {"ndos": ndos, "tasks": tasks, "open_tasks": sum(t.done_at is None for t in tasks), "task_errors": errors}


def version_conflict(case_pk: int, form: VersionedForm) -> int:
    """The fresh case's version, set into the form so the step can be sent again."""
    fresh = Case.objects.only("version").get(pk=case_pk)
    data = cast(QueryDict, form.data).copy()
    data[form.add_prefix("version")] = str(fresh.version)
    form.data = data
    return fresh.version


@require_http_methods(["GET", "POST"])
def extend_ndo(request: HttpRequest, pk: int, order: int) -> HttpResponse:
    """Counsel records a court's extension of a nondisclosure order; its expiry deadline moves."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    ndo = get_object_or_404(NondisclosureOrder, pk=order, demand_id=case.demand_id)
    if request.method == "GET":
        form = ExtendOrderForm(initial={"version": case.version}, courts=_courts())
        return _extend_page(request, case, ndo, form, status=200)
    form = ExtendOrderForm(request.POST, request.FILES, courts=_courts())
    if not form.is_valid():
        return _extend_page(request, case, ndo, form, status=422)
    data = form.cleaned_data
    try:
        actions.extend_nondisclosure_order(
            order=ndo,
            expires_on=data["expires_on"],
            occurred_on=data["occurred_on"],
            by=request.user,
            expected_version=data["version"],
            **form.where(),
        )
    except actions.StaleCase as exc:
        version_conflict(case.pk, form)
        case.refresh_from_db()
        ndo.refresh_from_db()
        return _extend_page(request, case, ndo, form, status=409, conflict=str(exc))
    except ValidationError as exc:
        ndo.refresh_from_db()
        form.add_action_error(exc)
        return _extend_page(request, case, ndo, form, status=422)
    messages.success(request, f"{ndo.basis} extended to {ndo.expires_on:%Y-%m-%d}.")
    return redirect(f"{reverse('cases:detail', args=[case.pk])}#ndos")


def _extend_page(
    request: HttpRequest, case: Case, ndo: NondisclosureOrder, form: ExtendOrderForm, *, status: int, **extra
) -> HttpResponse:
    if case.is_closed or ndo.expires_on is None:
        form = None  # type: ignore[assignment]  # nothing to extend: the page says why
    context = {"case": case, "demand": case.demand, "ndo": ndo, "form": form, **extra}
    return render(request, "cases/ndo_extend.html", context, status=status)
