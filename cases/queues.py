"""The legal team's queues: saved filters of the open cases, each a condition on a case
for a person at a moment. The case list (`?queue=mine`), the API
(`GET /api/v1/cases/?queue=mine`) and the dashboard read them from here and nowhere else.

Every queue holds open cases only: a queue is work still to do.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, models
from django.db.models import ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.lookups import Exact

from cases.models import Analysis, Case, CaseTask, Deadline, case_is_open

User = AbstractBaseUser | AnonymousUser

DUE_SOON = dt.timedelta(hours=72)


def _mine(user: User, now: dt.datetime) -> Q:
    return Q(counsel_id=user.pk or 0)  # no user has id 0: an anonymous user has no cases


def _unassigned(user: User, now: dt.datetime) -> Q:
    return Q(counsel__isnull=True)


def _awaiting_sign_off(user: User, now: dt.datetime) -> Q:
    """Analysed, and the latest analysis has no standing sign-off (never signed, voided
    by an override or amended facts, or a newer analysis came after the signed one):
    one probe per case of the (case, newest) index of analyses, whose first row says
    whether it stands (NULL, so not awaiting, when there is no analysis)."""
    standing = (
        Analysis.objects.filter(case=OuterRef("pk"))
        .newest_first()
        .values(
            standing=ExpressionWrapper(
                Q(signed_off_at__isnull=False, sign_off_voided_at__isnull=True), output_field=models.BooleanField()
            )
        )[:1]
    )
    return Q(Exact(Subquery(standing, output_field=models.BooleanField()), False))


def _emergency(user: User, now: dt.datetime) -> Q:
    # An open case of an emergency demand is what `list_rank` 0 says (the database
    # keeps it): read through the list's indexes, which start with it.
    return Q(list_rank=0)


# The deadline queues pick their cases from the open deadlines in the window, read once
# through the (state, due_at) index, rather than a subquery per case: correlated on the
# case, SQLite would still scan every open deadline for each case (seconds at 10,000).


def _due_72h(user: User, now: dt.datetime) -> Q:
    """An open deadline due within 72 hours and not yet past."""
    due = Deadline.objects.open().filter(due_at__gt=now, due_at__lte=now + DUE_SOON)
    return Q(pk__in=due.values("case_id"))


def _overdue(user: User, now: dt.datetime) -> Q:
    # An open deadline is past exactly when the earliest open one is: the case's kept
    # next deadline (`Case.next_deadline_at`, indexed).
    return Q(next_deadline_at__lte=now)


PRESERVATION_SOON = dt.timedelta(days=14)


def _preservation_expiring(user: User, now: dt.datetime) -> Q:
    """A preservation request whose preservation expires within 14 days (not yet past):
    time to ask for the production demand, or for the one extension."""
    due = Deadline.objects.open().filter(
        kind=Deadline.Kind.PRESERVATION_EXPIRES, due_at__gt=now, due_at__lte=now + PRESERVATION_SOON
    )
    return Q(demand__request_kind="preservation") & Q(pk__in=due.values("case_id"))


def _customer_notice(user: User, now: dt.datetime) -> Q:
    """A nondisclosure order expired and the customer is still to be told: an open
    customer-notice task (read through the (done_at, due_on) index)."""
    waiting = CaseTask.objects.filter(kind=CaseTask.Kind.CUSTOMER_NOTICE, done_at__isnull=True)
    return Q(pk__in=waiting.values("case_id"))


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    description: str
    condition: Callable[[User, dt.datetime], Q]

    def of(self, user: User, now: dt.datetime) -> Q:
        """The queue's cases for `user` at `now`, as a condition on Case."""
        return case_is_open() & self.condition(user, now)


QUEUES: dict[str, Queue] = {
    queue.name: queue
    for queue in (
        Queue("mine", "Mine", "Open cases assigned to you.", _mine),
        Queue("unassigned", "Unassigned", "Open cases no counsel is assigned to.", _unassigned),
        Queue(
            "awaiting_sign_off",
            "Awaiting sign-off",
            "Analysed open cases whose latest analysis has no standing sign-off.",
            _awaiting_sign_off,
        ),
        Queue("emergency", "Emergencies", "Open cases whose demand is an emergency.", _emergency),
        Queue("due_72h", "Due within 72 hours", "An open deadline is due within 72 hours (not yet past).", _due_72h),
        Queue("overdue", "Overdue", "An open deadline is past.", _overdue),
        Queue(
            "customer_notice",
            "Customer notice",
            "A nondisclosure order expired: the customer is to be told (an open customer-notice task).",
            _customer_notice,
        ),
        Queue(
            "preservation_expiring",
            "Preservation expiring",
            "Open preservation requests whose preservation expires within 14 days.",
            _preservation_expiring,
        ),
    )
}
QUEUE_CHOICES = [(queue.name, queue.label) for queue in QUEUES.values()]


# A queue's tab says "99+" beyond this (a queue that long is a backlog, whatever its
# exact length; the list says how many when filtered): counting stops there, so a
# count reads at most this many rows (through the queue's index), never the table.
COUNT_CAP = 99


def counts(user: User, now: dt.datetime) -> dict[str, int]:
    """How many cases each queue holds for `user` at `now`, up to `COUNT_CAP + 1`
    (more than the cap): one query of one capped count per queue."""
    parts: list[str] = []
    params: list = []
    for queue in QUEUES.values():
        capped = Case.objects.filter(queue.of(user, now)).order_by().values("pk")[: COUNT_CAP + 1]
        sql, sql_params = capped.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")  # noqa: S608 - the ORM's SQL and parameters
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(QUEUES, row, strict=True))


def count_label(n: int) -> str:
    """A queue's count as its tab shows it: "99+" beyond the cap."""
    return f"{COUNT_CAP}+" if n > COUNT_CAP else str(n)


def emergency_first() -> F:
    """The lists' first sort key: open emergency cases before every other case (the
    case's `list_rank`, which the database keeps from its status and emergency flag;
    every sort of the list has an index that starts with it)."""
    return F("list_rank")
