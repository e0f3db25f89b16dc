"""Counsel's step on a case's task: the customer was told, once their nondisclosure
order had expired (the form is on the case file; a refusal shows the case file again
with the form kept and its errors)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases import actions
from cases.models import CaseTask
from cases.views.case_file import _case_file
from cases.views.common import REVIEW_ROLES, _get_case_for_user
from cases.views.orders import CustomerNoticeForm, orders_context, task_key, version_conflict


@require_POST
def complete_task(request: HttpRequest, pk: int, task: int) -> HttpResponse:
    """Counsel records that the customer was told (when and how) and the task is done."""
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    target = get_object_or_404(CaseTask, pk=task, case=case)
    key = task_key(target.pk)
    form = CustomerNoticeForm(request.POST, prefix=key)
    status, conflict = 422, ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.complete_customer_notice(
                task=target,
                notice_given_on=data["notice_given_on"],
                notice_means=data["notice_means"],
                note=data["note"],
                by=request.user,
                expected_version=data["version"],
            )
        except actions.StaleCase as exc:
            version_conflict(case.pk, form)
            status, conflict = 409, str(exc)
        except ValidationError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, "Customer notice recorded: the task is done.")
            return redirect(f"{reverse('cases:detail', args=[case.pk])}#tasks")
    case = _get_case_for_user(request, pk, *REVIEW_ROLES)
    context = _case_file(request, case)
    context.update(orders_context(case, context["ndos"], can_review=True, bound={key: form}))
    if conflict:
        context["conflict"] = conflict
    return render(request, "cases/detail.html", context, status=status)
