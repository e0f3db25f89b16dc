"""Celery tasks: they take primary keys, re-read the rows and call an action."""

import logging

from celery import shared_task
from django.utils import timezone

from cases.analysis import analyse_case
from cases.models import Case, Status

log = logging.getLogger(__name__)


@shared_task(name="cases.tasks.analyse_case")
def analyse_case_task(case_id: int, trigger: str = "facts changed") -> int | None:
    """Idempotent: a second delivery finds the same answer and stores nothing."""
    case = Case.objects.select_related("demand").filter(pk=case_id).first()
    if case is None:
        log.warning("analyse_case: case %s does not exist", case_id)
        return None
    return analyse_case(case=case, trigger=trigger).analysis.pk


@shared_task(name="cases.tasks.reanalyse_after_catalogue_change")
def reanalyse_after_catalogue_change(version_id: int) -> int:
    """Re-run every open case against a new catalogue version; returns how many changed."""
    changed = 0
    for case in Case.objects.exclude(status=Status.CLOSED).select_related("demand").order_by("pk").iterator():
        outcome = analyse_case(case=case, trigger=f"catalogue version {version_id}")
        changed += bool(outcome.changes)
    return changed


@shared_task(name="cases.tasks.reanalyse_open_cases")
def reanalyse_open_cases() -> int:
    """Nightly: the law is point-in-time, so an open case's answer can change with the date."""
    changed = 0
    today = timezone.localdate()
    for case in Case.objects.exclude(status=Status.CLOSED).select_related("demand").order_by("pk").iterator():
        changed += bool(analyse_case(case=case, as_of=today, trigger="nightly re-analysis").changes)
    return changed
