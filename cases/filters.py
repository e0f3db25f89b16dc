"""The case list's filters, search and sort, as one django-filter FilterSet."""

import datetime as dt
from typing import TYPE_CHECKING, TypeAlias

import django_filters
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models
from django.db.models import Expression, F
from django.utils import timezone

from cases.models import AppealStatus, Case, CaseQuerySet, ContemptStatus, Status
from cases.queues import QUEUE_CHOICES, QUEUES, emergency_first
from cases.widgets import QuickSelect
from jurisdictions.models import Jurisdiction, LegalInstrument
from requests_app.models import Demand, TargetAccount

OPEN = "open"
STATUS_CHOICES = [(OPEN, "Open (not closed)"), *Status.choices]
WINDOW_CHOICES = [("overdue", "Overdue"), ("3", "Due in the next 3 days"), ("7", "Due in the next 7 days")]
SORTS = {
    "reference": ("reference",),
    "created": ("created_at",),
    "deadline": ("next_deadline_at",),
    "status": ("status",),
}
NULLABLE_SORTS = {"next_deadline_at"}


class AnyOf(Expression):
    """PostgreSQL's `field = ANY(ARRAY(subquery))`: the subquery runs once, and the
    cases of the demands it found are read through the index on the demand (as `IN
    (subquery)`, PostgreSQL guesses how many and reads every case at a million)."""

    conditional = True
    output_field = models.BooleanField()

    def __init__(self, field: str, queryset) -> None:
        super().__init__()
        self.column, self.queryset = F(field), queryset

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.column)
        sql, params = self.queryset.query.get_compiler(connection=connection).as_sql()
        return f"{column} = ANY(ARRAY({sql}))", (*column_params, *params)


SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]


if TYPE_CHECKING:
    CaseList: TypeAlias = CaseQuerySet[Case]  # noqa: UP040 - tools that read the code may run an older Python


def case_list_queryset() -> "CaseList":
    """Cases with what the list shows: the demand, its instrument and issuer (joined).
    The next open deadline is the case's own column (`Case.next_deadline_at`), kept on
    every write of a deadline, so a page is read from an index whatever the sort."""
    return Case.objects.select_related("demand__instrument", "demand__issuing_jurisdiction")


class CaseFilter(django_filters.FilterSet):
    """The case list's filters. `queue` is one of the saved filters of `cases.queues`,
    for the person asking (`request.user`)."""

    queue = django_filters.ChoiceFilter(
        choices=QUEUE_CHOICES, method="filter_queue", label="Queue", empty_label="All cases", widget=QuickSelect
    )
    q = django_filters.CharFilter(method="search", label="Reference or account")
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", empty_label="Any status", widget=QuickSelect
    )
    appeal_status = django_filters.ChoiceFilter(
        choices=AppealStatus.choices, label="Appeal", empty_label="Any", widget=QuickSelect
    )
    contempt_status = django_filters.ChoiceFilter(
        choices=ContemptStatus.choices, label="Contempt", empty_label="Any", widget=QuickSelect
    )
    issuer = django_filters.ModelChoiceFilter(
        field_name="demand__issuing_jurisdiction",
        queryset=Jurisdiction.objects.only("code", "name"),
        label="Issuer",
        empty_label="Any issuer",
        widget=QuickSelect,
    )
    instrument = django_filters.ModelChoiceFilter(
        field_name="demand__instrument",
        queryset=LegalInstrument.objects.only("code"),
        to_field_name="code",
        label="Instrument",
        empty_label="Any instrument",
        widget=QuickSelect,
    )
    due = django_filters.ChoiceFilter(
        choices=WINDOW_CHOICES, method="filter_due", label="Next deadline", empty_label="Any time", widget=QuickSelect
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label="Sort", empty_label="Newest", widget=QuickSelect
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def search(self, queryset: "CaseList", name: str, value: str) -> "CaseList":
        value = value.strip()
        if not value:
            return queryset
        # The demands matching, found once each way (on PostgreSQL through the trigram
        # indexes of requests_app's migration 0005), then their cases: not a test of
        # every case against both.
        by_reference = Demand.objects.filter(reference__icontains=value).order_by().values_list("pk", flat=True)
        by_account = (
            TargetAccount.objects.filter(identifier__icontains=value).order_by().values_list("demand_id", flat=True)
        )
        matching = by_reference.union(by_account).order_by()
        if connection.vendor == "postgresql":
            return queryset.filter(AnyOf("demand_id", matching))
        return queryset.filter(demand_id__in=matching)

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
        # Only the next deadline may be empty: cases without one come last either way.
        # The other keys are never null, and are sorted plainly so that the order is the
        # one their index has (PostgreSQL does not use an index whose NULLS order
        # differs, even on a column that has no nulls).
        order = [
            (F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True))
            if f in NULLABLE_SORTS
            else (F(f).desc() if descending else F(f).asc())
            for f in fields
        ]
        return queryset.order_by(emergency_first(), *order, "-pk" if descending else "pk")
