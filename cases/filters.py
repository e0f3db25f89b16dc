"""The case list's filters, search and sort, as one django-filter FilterSet."""

import datetime as dt
from typing import TYPE_CHECKING, TypeAlias, TypedDict

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery, Value
from django.utils import timezone

from cases.models import AppealStatus, Case, CaseQuerySet, ContemptStatus, Deadline, Status
from cases.queues import QUEUE_CHOICES, QUEUES, emergency_first
from jurisdictions.models import Jurisdiction, LegalInstrument
from requests_app.models import TargetAccount

OPEN = "open"
STATUS_CHOICES = [(OPEN, "Open (not closed)"), *Status.choices]
WINDOW_CHOICES = [("overdue", "Overdue"), ("3", "Due in the next 3 days"), ("7", "Due in the next 7 days")]
SORTS = {
    "reference": ("demand__reference",),
    "created": ("created_at",),
    "deadline": ("next_deadline_at",),
    "status": ("status",),
}
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


class CaseListAnnotations(TypedDict):
    """What `case_list_queryset` annotates each case with."""

    next_deadline_at: dt.datetime | None
    next_deadline_kind: str | None


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # Not PEP 695's `type` statement: tools that read the code may run an older Python.
    CaseList: TypeAlias = CaseQuerySet[WithAnnotations[Case, CaseListAnnotations]]  # noqa: UP040


def case_list_queryset() -> "CaseList":
    """Cases with what the list shows, and their next open deadline as subqueries.

    One query for a page, whatever the number of cases or deadlines. The subqueries
    filter on the case alone (the Deadline.case index) and pick the open deadline with
    a conditional expression: with `state = 'open'` in their WHERE clause, SQLite
    prefers the (state, due_at) index for the ORDER BY and scans every open deadline
    of every case for each row (seconds at 10,000 cases instead of milliseconds).
    """
    is_open = Q(state=Deadline.State.OPEN)
    of_case = Deadline.objects.filter(case=OuterRef("pk")).order_by()
    next_at = of_case.values("case").annotate(first=Min("due_at", filter=is_open)).values("first")
    next_kind = of_case.order_by(
        models.Case(models.When(is_open, then=Value(0)), default=Value(1)), "due_at", "pk"
    ).values(kind_if_open=models.Case(models.When(is_open, then=F("kind")), default=None))[:1]
    return Case.objects.select_related("demand__instrument", "demand__issuing_jurisdiction").annotate(
        next_deadline_at=Subquery(next_at, output_field=models.DateTimeField()),
        next_deadline_kind=Subquery(next_kind, output_field=models.CharField()),
    )


class CaseFilter(django_filters.FilterSet):
    """The case list's filters. `queue` is one of the saved filters of `cases.queues`,
    for the person asking (`request.user`)."""

    queue = django_filters.ChoiceFilter(
        choices=QUEUE_CHOICES, method="filter_queue", label="Queue", empty_label="All cases"
    )
    q = django_filters.CharFilter(method="search", label="Reference or account")
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status", empty_label="Any status")
    appeal_status = django_filters.ChoiceFilter(choices=AppealStatus.choices, label="Appeal", empty_label="Any")
    contempt_status = django_filters.ChoiceFilter(choices=ContemptStatus.choices, label="Contempt", empty_label="Any")
    issuer = django_filters.ModelChoiceFilter(
        field_name="demand__issuing_jurisdiction",
        queryset=Jurisdiction.objects.only("code", "name"),
        label="Issuer",
        empty_label="Any issuer",
    )
    instrument = django_filters.ModelChoiceFilter(
        field_name="demand__instrument",
        queryset=LegalInstrument.objects.only("code"),
        to_field_name="code",
        label="Instrument",
        empty_label="Any instrument",
    )
    due = django_filters.ChoiceFilter(
        choices=WINDOW_CHOICES, method="filter_due", label="Next deadline", empty_label="Any time"
    )
    sort = django_filters.ChoiceFilter(choices=SORT_CHOICES, method="filter_sort", label="Sort", empty_label="Newest")

    class Meta:
        model = Case
        fields: list[str] = []

    def search(self, queryset: "CaseList", name: str, value: str) -> "CaseList":
        value = value.strip()
        if not value:
            return queryset
        accounts = TargetAccount.objects.filter(demand_id=OuterRef("demand_id"), identifier__icontains=value)
        return queryset.filter(Q(demand__reference__icontains=value) | Exists(accounts))

    def filter_status(self, queryset: "CaseList", name: str, value: str) -> "CaseList":
        if value == OPEN:
            return queryset.open()
        return queryset.filter(status=value)

    def filter_queue(self, queryset: "CaseList", name: str, value: str) -> "CaseList":
        user = getattr(self.request, "user", None)
        return queryset.filter(QUEUES[value].of(user or AnonymousUser(), timezone.now()))

    def filter_due(self, queryset: "CaseList", name: str, value: str) -> "CaseList":
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(next_deadline_at__lt=now)
        return queryset.filter(next_deadline_at__gte=now, next_deadline_at__lt=now + dt.timedelta(days=int(value)))

    def filter_sort(self, queryset: "CaseList", name: str, value: str) -> "CaseList":
        return queryset  # applied in `qs`, after every filter, so it wins over the default

    @property
    def qs(self) -> "CaseList":
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else ""
        descending = sort.startswith("-")
        fields = SORTS.get(sort.lstrip("-"))
        # Open emergencies first, whatever else the list is sorted by.
        if not fields:
            return queryset.order_by(emergency_first(), "-created_at", "-pk")
        order = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields]
        return queryset.order_by(emergency_first(), *order, "-pk" if descending else "pk")
