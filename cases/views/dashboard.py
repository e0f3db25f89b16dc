"""The dashboard (the first page after login), and the health check a load balancer polls."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import queues
from cases.filters import case_list_queryset
from cases.models import AppealStatus, Case, ContemptStatus, Deadline, Status
from cases.views.common import READ_ROLES, _require_role
from requests_app.models import Demand


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer and compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


EMERGENCIES_SHOWN = 10


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard, built from the queues (`cases.queues`): how many cases each holds
    for this person, each linking to the list filtered by it, the open emergencies
    first; then what is due, what is in court, where demands come from. A fixed number
    of queries, whatever the number of cases (see the tests)."""
    _require_role(request, *READ_ROLES)
    now = timezone.now()
    counts = queues.counts(request.user, now)
    emergencies = list(
        case_list_queryset()
        .filter(queues.QUEUES["emergency"].of(request.user, now))
        .order_by(F("next_deadline_at").asc(nulls_last=True), "-created_at", "-pk")[:EMERGENCIES_SHOWN]
    )
    open_deadlines = Deadline.objects.open().of_open_cases()
    due_soon = list(
        open_deadlines.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(days=7))
        .select_related("case__demand")
        .order_by("due_at")[:50]
    )
    overdue = list(open_deadlines.filter(due_at__lt=now).select_related("case__demand").order_by("due_at")[:50])
    by_status = dict(Case.objects.open().values_list("status").annotate(n=Count("pk")).order_by())
    litigation = list(
        Case.objects.open()
        .filter(~Q(appeal_status=AppealStatus.NONE) | ~Q(contempt_status=ContemptStatus.NONE))
        .select_related("demand")
        .order_by("-updated_at")[:50]
    )
    since = now - dt.timedelta(days=365)
    per_country = list(
        Demand.objects.annotate(on=Coalesce("received_at", "served_at", "created_at"))
        .filter(on__gte=since)
        .values("issuing_jurisdiction_id", "issuing_jurisdiction__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "issuing_jurisdiction_id")
    )
    return render(
        request,
        "cases/dashboard.html",
        {
            "queues": [
                {
                    "name": name,
                    "label": queue.label,
                    "description": queue.description,
                    "count": counts[name],
                    "count_label": queues.count_label(counts[name]),
                }
                for name, queue in queues.QUEUES.items()
            ],
            "emergencies": emergencies,
            "statuses": [
                (value, label, by_status.get(value, 0)) for value, label in Status.choices if value != Status.CLOSED
            ],
            "open_total": sum(by_status.values()),
            "due_soon": due_soon,
            "overdue": overdue,
            "litigation": litigation,
            "chart": _bar_chart(per_country),
            "now": now,
        },
    )


def _bar_chart(rows: Sequence[Mapping[str, Any]]) -> dict:
    """Geometry for a server-rendered SVG bar chart (no inline styles, no JS)."""
    top = max((r["n"] for r in rows), default=0)
    bar_height, gap, label_width, width = 22, 6, 150, 620
    bars = []
    for i, row in enumerate(rows):
        length = 0 if not top else max(2, round((width - label_width - 50) * row["n"] / top))
        y = i * (bar_height + gap)
        bars.append(
            {
                "code": row["issuing_jurisdiction_id"],
                "name": row["issuing_jurisdiction__name"],
                "n": row["n"],
                "y": y,
                "text_y": y + bar_height * 0.7,
                "length": length,
                "value_x": label_width + length + 6,
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(len(bars) * (bar_height + gap), bar_height),
        "label_width": label_width,
        "bar_height": bar_height,
        "total": sum(r["n"] for r in rows),
    }
