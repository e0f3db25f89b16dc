"""The legal team's file on each demand: its tracks, analyses, events and deadlines.

Nothing in a case's record is ever deleted: events are append-only (enforced by the
database, see migration 0002), and every other change is kept in the audit history.
"""

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from operator import attrgetter
from typing import Self, TypeVar

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from cases.webhook_security import EncryptedSecretField, validate_webhook_url
from jurisdictions.models import CatalogueVersion, Court
from jurisdictions.reach import types as engine
from requests_app.models import Demand, NondisclosureOrder


class Status(models.TextChoices):
    INTAKE = "intake", "Intake"
    ANALYSIS = "analysis", "Analysis"
    COUNSEL_REVIEW = "counsel_review", "Counsel review"
    RESPONDING = "responding", "Responding"
    LITIGATING = "litigating", "Litigating"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    PRODUCED_IN_FULL = "produced_in_full", "Produced in full"
    PRODUCED_IN_PART = "produced_in_part", "Produced in part"
    NO_DATA = "no_data", "No data"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOOT = "moot", "Moot"


class AppealStatus(models.TextChoices):
    NONE = "none", "None"
    NOTICE_FILED = "notice_filed", "Notice of appeal filed"
    BRIEFING = "briefing", "Briefing"
    ARGUED = "argued", "Argued"
    DECIDED = "decided", "Decided"
    REHEARING_PETITION = "rehearing_petition", "Rehearing petition"
    CERTIORARI_PETITION = "certiorari_petition", "Certiorari petition"
    CERTIORARI_GRANTED = "certiorari_granted", "Certiorari granted"
    CERTIORARI_DENIED = "certiorari_denied", "Certiorari denied"


class AppealDisposition(models.TextChoices):
    AFFIRMED = "affirmed", "Affirmed"
    REVERSED = "reversed", "Reversed"
    VACATED = "vacated", "Vacated"
    REMANDED = "remanded", "Remanded"


class ContemptStatus(models.TextChoices):
    NONE = "none", "None"
    MOTION_PENDING = "motion_pending", "Motion pending"
    HELD = "held", "Held in contempt"
    PURGED = "purged", "Purged"
    VACATED = "vacated", "Vacated"


class ContemptKind(models.TextChoices):
    CIVIL = "civil", "Civil"
    CRIMINAL = "criminal", "Criminal"


class TrackName(models.TextChoices):
    """The three tracks of a case (their transition tables are in `cases/workflow.py`)."""

    STATUS = "status", "Status"
    APPEAL = "appeal", "Appeal"
    CONTEMPT = "contempt", "Contempt"


def _engine_choices(vocabulary: type[engine.Reach] | type[engine.Route]) -> type[models.TextChoices]:
    """Django choices of one of the reach engine's vocabularies, with its values and
    labels: declared once, in `jurisdictions/reach/types.py`, never again here."""
    members = [(member.name, (member.value, member.label)) for member in vocabulary]
    # Enum's functional API (names, module=) works at run time; django-stubs types only the member constructor.
    return models.TextChoices(vocabulary.__name__, members, module=__name__)  # type: ignore[call-overload]


# How a holding is reached and how it is to be obtained, as the engine says them.
Reach = _engine_choices(engine.Reach)
Route = _engine_choices(engine.Route)


def case_is_open(prefix: str = "") -> Q:
    """What an open case is, said once: one not closed. `prefix` reaches a case from
    another model ("case__")."""
    return ~Q(**{f"{prefix}status": Status.CLOSED})


class CaseQuerySet(models.QuerySet):
    def open(self) -> Self:
        """The cases still being worked on: the case list's default, the dashboard,
        the re-analyses."""
        return self.filter(case_is_open())

    def with_latest_analysis(self):
        """Annotated with `latest_analysis_id`, the analysis in force (a subquery)."""
        latest = Analysis.objects.filter(case=OuterRef("pk")).newest_first().values("pk")[:1]
        return self.annotate(latest_analysis_id=Subquery(latest))

    def with_sign_off_keys(self):
        """Annotated with `latest_analysis_id` and `signed_analysis_id` (the newest
        analysis ever signed off), what `cases.sign_off.attach` reads the sign-off from."""
        signed = (
            Analysis.objects.filter(case=OuterRef("pk"), signed_off_at__isnull=False).newest_first().values("pk")[:1]
        )
        return self.with_latest_analysis().annotate(signed_analysis_id=Subquery(signed))


# The currency a court of the issuing jurisdiction imposes sanctions in, by default
# (counsel may name another): the euro for the euro area's members.
EURO_AREA = frozenset("AT BE HR CY EE FI FR DE GR IE IT LV LT LU MT NL PT SK SI ES".split())
CURRENCIES = {"US": "USD", "GB": "GBP", "BR": "BRL", "CH": "CHF", "CA": "CAD", "AU": "AUD", "JP": "JPY", "IN": "INR"}


def default_currency(jurisdiction_code: str | None) -> str:
    """ISO 4217 code of a jurisdiction's currency; blank when not known."""
    code = (jurisdiction_code or "").upper()
    return "EUR" if code in EURO_AREA else CURRENCIES.get(code, "")


def sanctions_in_words(amount, currency: str = "", period: str = "") -> str:
    """ "USD 5,000.00 per day"; "no sanctions" when none or nil."""
    if amount is None or amount == 0:
        return "no sanctions"
    text = f"{currency} {amount:,.2f}" if currency else f"{amount:,.2f} (currency not recorded)"
    return f"{text} {period}".strip() if period else text


class Case(models.Model):
    """One per demand."""

    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="case")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INTAKE)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    appeal_status = models.CharField(max_length=24, choices=AppealStatus.choices, default=AppealStatus.NONE)
    appeal_disposition = models.CharField(max_length=16, choices=AppealDisposition.choices, blank=True)
    contempt_status = models.CharField(max_length=20, choices=ContemptStatus.choices, default=ContemptStatus.NONE)
    contempt_kind = models.CharField(max_length=10, choices=ContemptKind.choices, blank=True)
    contempt_by_stipulation = models.BooleanField(default=False)
    contempt_sanctions_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    contempt_sanctions_period = models.CharField(max_length=100, blank=True)
    contempt_sanctions_currency = models.CharField(
        max_length=3,
        blank=True,
        help_text="ISO 4217 code of the sanctions' amount; by default the issuing jurisdiction's currency.",
    )
    contempt_stayed = models.BooleanField(default=False)
    counsel = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="cases_assigned"
    )
    # Optimistic concurrency: every tracked change bumps it; a writer holding an
    # older number gets a conflict instead of overwriting (see cases/actions.py).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # What the case list sorts and filters by, kept on the case so that an index serves
    # each page (not a subquery per case): the demand's emergency flag, copied when the
    # case is created (it never changes after intake); the list's first sort key from
    # it and the status (0: an open emergency, shown first; 1: any other case), kept by
    # the database; the demand's reference (fixed at intake too), for its sort; and
    # the case's next open deadline, kept by `refresh_next_deadline`
    # on every write of a deadline. Derived, so none of them is in the case's history.
    emergency = models.BooleanField(default=False, editable=False)
    reference = models.CharField(max_length=100, blank=True, editable=False)  # the demand's, fixed at intake
    list_rank = models.GeneratedField(
        expression=models.Case(
            models.When(~Q(status="closed") & Q(emergency=True), then=Value(0)),
            default=Value(1),
            output_field=models.SmallIntegerField(),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )
    next_deadline_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_deadline_kind = models.CharField(max_length=20, null=True, blank=True, editable=False)
    # The report flags of the analysis in force (the newest; `Analysis.reaches_content`
    # and `reaches_abroad`), kept by `Analysis.save` and `refresh_report_flags`: the
    # transparency report reads them on the case, not case by case in the analyses.
    reaches_content = models.BooleanField(default=False, editable=False)
    reaches_abroad = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(
        excluded_fields=[
            "emergency",
            "reference",
            "list_rank",
            "next_deadline_at",
            "next_deadline_kind",
            "reaches_content",
            "reaches_abroad",
        ]
    )

    objects = CaseQuerySet.as_manager()

    # Written by the database, `refresh_next_deadline` or `copy_report_flags` alone: a
    # save of a case read earlier must not put back the values it read.
    DERIVED = ("list_rank", "next_deadline_at", "next_deadline_kind", "reaches_content", "reaches_abroad")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=Status.CLOSED) & ~Q(outcome="")) | (~Q(status=Status.CLOSED) & Q(outcome="")),
                name="case_closed_iff_outcome",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_status_known"),
            models.CheckConstraint(condition=Q(appeal_status__in=AppealStatus.values), name="case_appeal_known"),
            models.CheckConstraint(condition=Q(contempt_status__in=ContemptStatus.values), name="case_contempt_known"),
            models.CheckConstraint(
                condition=Q(contempt_sanctions_amount__isnull=True) | Q(contempt_sanctions_amount__gte=0),
                name="case_sanctions_not_negative",
            ),
        ]
        indexes = [
            # The case list's default filter and ordering: open cases by status.
            models.Index(fields=["status", "-created_at"], name="case_status_created"),
            # The case list's sorts, open emergencies first (`cases.filters.SORTS`): each
            # page is read from an index in order. The deadline sort's descending
            # index (NULLS LAST) is PostgreSQL's, in migration 0019.
            models.Index(fields=["list_rank", "-created_at", "-id"], name="case_list_newest"),
            models.Index(fields=["list_rank", "created_at", "id"], name="case_list_oldest"),
            models.Index(fields=["list_rank", "next_deadline_at", "id"], name="case_list_deadline"),
            models.Index(fields=["list_rank", "status", "id"], name="case_list_status"),
            models.Index(fields=["list_rank", "reference", "id"], name="case_list_reference"),
            models.Index(fields=["list_rank", "-reference", "-id"], name="case_list_reference_desc"),
            models.Index(fields=["list_rank", "-status", "-id"], name="case_list_status_desc"),
            # The queues of due and overdue cases.
            models.Index(fields=["next_deadline_at"], name="case_next_deadline"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.demand.reference})"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            self.emergency, self.reference = self.demand.emergency, self.demand.reference
        elif kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in self.DERIVED
            ]
        super().save(*args, **kwargs)

    @property
    def is_closed(self) -> bool:
        """A closed case is final: its tracks, analysis and deadlines no longer change."""
        return self.status == Status.CLOSED

    @property
    def sanctions_in_words(self) -> str:
        """The contempt sanctions as people read them: "USD 5,000.00 per day", or
        "no sanctions" when none (or nil) were imposed."""
        return sanctions_in_words(
            self.contempt_sanctions_amount, self.contempt_sanctions_currency, self.contempt_sanctions_period
        )

    @property
    def latest_analysis(self) -> "Analysis | None":
        """The analysis in force: the newest. One query each time it is read."""
        return self.analyses.newest_first().first()


class AnalysisQuerySet(models.QuerySet):
    def newest_first(self):
        """A case's analyses newest first: the first is the one in force."""
        return self.order_by("-created_at", "-pk")


def report_flags(result: object, overrides: dict[int, str], country: str | None) -> tuple[bool, bool]:
    """What the transparency report counts of an answer (`result`, the engine's JSON),
    each holding's reach replaced by counsel's override in force (`overrides`: holding
    index -> reach): (a content holding is reachable: reach storage or control; a
    holding is reached by control and stored outside `country`, the issuing
    jurisdiction, or at an unknown place). An answer without a list of items has
    neither."""
    items = result.get("items") if isinstance(result, dict) else None
    if not isinstance(items, list):
        return False, False
    content = abroad = False
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        reach = overrides.get(index, item.get("reach")) or "none"
        if item.get("category") == "content" and reach != "none":
            content = True
        storage = item.get("storage")
        if reach == "control" and (not storage or storage != country):
            abroad = True
    return content, abroad


def copy_report_flags(case_id: int) -> None:
    """The case's report flags from its analysis in force (the newest): one UPDATE."""
    newest = Analysis.objects.filter(case=OuterRef("pk")).newest_first()
    Case.objects.filter(pk=case_id).update(
        reaches_content=Coalesce(Subquery(newest.values("reaches_content")[:1]), False),
        reaches_abroad=Coalesce(Subquery(newest.values("reaches_abroad")[:1]), False),
    )


class Analysis(models.Model):
    """The engine's result for a case at a point in time, with the catalogue it used."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="analyses")
    as_of = models.DateField()
    catalogue_version = models.ForeignKey(CatalogueVersion, on_delete=models.PROTECT, related_name="analyses")
    doctrine = models.CharField(max_length=16, blank=True)
    result = models.JSONField(help_text="The engine's full answer: rows, conflicts, deadlines, reasons.")
    fingerprint = models.CharField(max_length=64, help_text="Hash of the answer, to tell when it changed.")
    summary = models.JSONField(
        default=dict, blank=True, help_text="Counts by route, conflicts, deadlines: what the status endpoint shows."
    )
    # What the transparency report counts of this answer, with counsel's overrides in
    # force (`report_flags`), so the report reads two columns, not every JSON answer:
    # a content holding is reachable; a holding is reached by control outside the
    # issuing country (or where it is stored is not known). Set when the analysis is
    # created and again on every override of one of its holdings.
    reaches_content = models.BooleanField(default=False, editable=False)
    reaches_abroad = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sign_off_note = models.TextField(blank=True)
    # A sign-off stands for the answer it signed: a later override or amendment voids
    # it (cases/actions/review.py, void_sign_off), and the case awaits a new one.
    sign_off_voided_at = models.DateTimeField(null=True, blank=True)
    sign_off_voided_reason = models.TextField(blank=True)

    objects = AnalysisQuerySet.as_manager()

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        if adding:  # a new analysis has no override yet
            self.reaches_content, self.reaches_abroad = report_flags(
                self.result, {}, self.case.demand.issuing_jurisdiction_id
            )
        super().save(*args, **kwargs)
        if adding:  # the newest is the one in force
            copy_report_flags(self.case_id)

    def refresh_report_flags(self) -> None:
        """Set `reaches_content` and `reaches_abroad` again from the answer and the
        overrides in force (after an override): one UPDATE."""
        rows = HoldingOverride.objects.filter(analysis_id=self.pk).in_force()
        overrides = {row.item: row.reach for row in rows}
        country = Demand.objects.filter(case__pk=self.case_id).values_list("issuing_jurisdiction_id", flat=True).first()
        self.reaches_content, self.reaches_abroad = report_flags(self.result, overrides, country)
        Analysis.objects.filter(pk=self.pk).update(
            reaches_content=self.reaches_content, reaches_abroad=self.reaches_abroad
        )
        copy_report_flags(self.case_id)

    class Meta:
        ordering = ["case", "-created_at"]
        verbose_name_plural = "analyses"
        indexes = [
            # A case's analysis in force (`newest_first`), read per case by the queues,
            # the sign-off keys and the transparency report: one index probe each.
            models.Index(fields=["case", "-created_at", "-id"], name="analysis_case_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True, signed_off_at__isnull=True)
                | Q(signed_off_by__isnull=False, signed_off_at__isnull=False),
                name="analysis_signoff_complete",
            ),
            models.CheckConstraint(
                condition=Q(sign_off_voided_at__isnull=True) | Q(signed_off_at__isnull=False),
                name="analysis_void_needs_signoff",
            ),
        ]

    def __str__(self) -> str:
        return f"Analysis {self.pk} of case {self.case_id} as of {self.as_of}"

    @property
    def sign_off_stands(self) -> bool:
        """Signed off, and nothing since has changed the answer that was signed."""
        return self.signed_off_at is not None and self.sign_off_voided_at is None


class WhatIfRun(models.Model):
    """The engine run on a case's demand as of another date, kept on the case file to
    compare with: never the case's analysis (no sign-off, no deadlines follow it)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="what_if_runs")
    as_of = models.DateField(help_text="The day the catalogue was read as of: doctrine, memberships, agreements.")
    catalogue_version = models.ForeignKey(CatalogueVersion, on_delete=models.PROTECT, related_name="+")
    result = models.JSONField(help_text="The engine's full answer, as an analysis stores it.")
    analysis = models.ForeignKey(
        Analysis,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The case's analysis in force when it ran (none yet: blank).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-created_at", "-pk"]
        indexes = [
            # The case file's list of re-runs: one case's, newest first.
            models.Index(fields=["case", "-created_at"], name="whatifrun_case_created"),
        ]

    def __str__(self) -> str:
        return f"What-if of case {self.case_id} as of {self.as_of}"


class CaseEvent(models.Model):
    """An append-only entry on a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    track = models.CharField(max_length=10, blank=True, choices=TrackName.choices)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    occurred_on = models.DateField(help_text="When it happened in the world; may be in the past.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    court = models.ForeignKey(Court, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    court_name = models.CharField(max_length=200, blank=True, help_text="A court not in the catalogue.")
    citation = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    document = models.FileField(upload_to="events/%Y/%m/", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["case", "occurred_on", "recorded_at", "pk"]
        indexes = [
            # The timeline: one case's events in the order they happened.
            models.Index(fields=["case", "occurred_on"], name="event_case_occurred"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind}"


class ReminderKind(models.TextChoices):
    """What a notification is about: how close a deadline is (one reminder of each
    kind per deadline and person), or an emergency demand (one per case and person)."""

    DUE_IN_72H = "due_in_72h", "Due within 72 hours"
    DUE_IN_24H = "due_in_24h", "Due within 24 hours"
    OVERDUE = "overdue", "Overdue"
    EMERGENCY = "emergency", "Emergency demand"


# The kinds that remind of a deadline (the others are not about one).
DEADLINE_REMINDER_KINDS = (ReminderKind.DUE_IN_72H, ReminderKind.DUE_IN_24H, ReminderKind.OVERDUE)


REMINDER_WINDOWS = {ReminderKind.DUE_IN_72H: dt.timedelta(hours=72), ReminderKind.DUE_IN_24H: dt.timedelta(hours=24)}
# A preservation's expiry is reminded of earlier: its first reminder (the DUE_IN_72H
# kind, so no new kind and no migration) comes 14 days ahead, time to renew the request.
PRESERVATION_REMINDER_WINDOW = dt.timedelta(days=14)


def refresh_next_deadline(case_ids: Iterable[int | None]) -> None:
    """Set the cases' next open deadline (due time and kind) from their deadlines: one
    UPDATE (per 5000 cases). Every write of a deadline calls it (`Deadline.save` and `delete`, and
    `DeadlineQuerySet.update`, `delete` and `bulk_create`), so the list's column is
    never stale."""
    ids = sorted({i for i in case_ids if i is not None})
    if not ids:
        return
    first = Deadline.objects.filter(case=OuterRef("pk"), state=Deadline.State.OPEN).order_by("due_at", "pk")
    for start in range(0, len(ids), 5000):  # SQLite takes a bounded number of parameters
        Case.objects.filter(pk__in=ids[start : start + 5000]).update(
            next_deadline_at=Subquery(first.values("due_at")[:1]),
            next_deadline_kind=Subquery(first.values("kind")[:1]),
        )


class DeadlineQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        ids = list(self.values_list("case_id", flat=True).distinct())
        n = super().update(**kwargs)
        refresh_next_deadline(ids)
        return n

    def delete(self):
        ids = list(self.values_list("case_id", flat=True).distinct())
        deleted = super().delete()
        refresh_next_deadline(ids)
        return deleted

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        refresh_next_deadline(getattr(d, "case_id", None) for d in created)
        return created

    def open(self):
        return self.filter(state=Deadline.State.OPEN)

    def of_open_cases(self):
        return self.filter(case_is_open("case__"))

    def due_within(self, *, now: dt.datetime, hours: int):
        return self.filter(due_at__lte=now + dt.timedelta(hours=hours))

    def overdue(self, *, now: dt.datetime):
        return self.filter(due_at__lte=now)

    def needing_reminder(self, *, now: dt.datetime):
        """Open deadlines of open cases due within 72 hours or overdue, annotated with
        `reminder_kind` (the most urgent window they are in), that have no reminder of
        that kind yet. Uses the (state, due_at) index."""
        kind = models.Case(
            models.When(due_at__lte=now, then=Value(ReminderKind.OVERDUE.value)),
            models.When(
                due_at__lte=now + REMINDER_WINDOWS[ReminderKind.DUE_IN_24H], then=Value(ReminderKind.DUE_IN_24H.value)
            ),
            default=Value(ReminderKind.DUE_IN_72H.value),
            output_field=models.CharField(),
        )
        already = Notification.objects.filter(deadline=OuterRef("pk"), kind=OuterRef("reminder_kind"))
        preservation_early = Q(kind=Deadline.Kind.PRESERVATION_EXPIRES, due_at__lte=now + PRESERVATION_REMINDER_WINDOW)
        return (
            self.open()
            .of_open_cases()
            .filter(Q(due_at__lte=now + REMINDER_WINDOWS[ReminderKind.DUE_IN_72H]) | preservation_early)
            .annotate(reminder_kind=kind)
            .filter(~Exists(already))
        )


class Deadline(models.Model):
    class Kind(models.TextChoices):
        RESPONSE = "response", "Response due"
        COMITY_MOTION = "comity_motion", "Comity motion (§2703(h)(2))"
        PRESERVATION_EXPIRES = "preservation_expires", "Preservation expires"
        CONFLICT_OBJECTION = "conflict_objection", "Reasoned objection (Art. 17)"
        OBJECTION = "objection", "Objection"
        APPEAL_NOTICE = "appeal_notice", "Notice of appeal"
        NDO_EXPIRY = "ndo_expiry", "Nondisclosure order expires"
        CUSTOM = "custom", "Custom"

    class Source(models.TextChoices):
        COMPUTED = "computed", "Computed"
        MANUAL = "manual", "Manual"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        SUPERSEDED = "superseded", "Superseded"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    computation = models.JSONField(default=dict, blank=True, help_text="How it was computed: start, period, rule.")
    analysis = models.ForeignKey(Analysis, null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
        help_text="The deadline this one replaced when it was moved.",
    )
    completed_on = models.DateField(null=True, blank=True, help_text="When it was met or cancelled.")

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        constraints = [
            # A computed deadline of one kind is replaced, never duplicated.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(source="computed", state="open"),
                name="deadline_one_open_computed_per_kind",
            ),
            models.CheckConstraint(condition=~Q(kind="custom") | ~Q(label=""), name="deadline_custom_has_label"),
        ]
        indexes = [
            # Reminders and the dashboard: open deadlines by due time.
            models.Index(fields=["state", "due_at"], name="deadline_state_due"),
            # The queues that look for one kind of open deadline in a window (the
            # preservations expiring within 14 days).
            models.Index(fields=["kind", "due_at"], condition=Q(state="open"), name="deadline_open_kind_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d %H:%M}"

    # What the case's next deadline is made of: a save of other fields (a reminder sent)
    # leaves it as it is.
    NEXT_DEADLINE_FIELDS = frozenset({"case", "case_id", "kind", "due_at", "state"})

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or self.NEXT_DEADLINE_FIELDS.intersection(fields):
            refresh_next_deadline([self.case_id])

    def delete(self, *args, **kwargs):
        case_id = self.case_id
        deleted = super().delete(*args, **kwargs)
        refresh_next_deadline([case_id])
        return deleted


class CaseTask(models.Model):
    """Something the legal team must do on a case, e.g. tell the customer once a
    nondisclosure order has expired."""

    class Kind(models.TextChoices):
        CUSTOMER_NOTICE = "customer_notice", "Notify the customer"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    nondisclosure_order = models.ForeignKey(
        NondisclosureOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    ndo_expired_on = models.DateField(null=True, blank=True, help_text="The expiry this task follows from.")
    note = models.TextField(blank=True)
    notice_given_on = models.DateField(null=True, blank=True, help_text="When the customer was told.")
    notice_means = models.CharField(
        max_length=12,
        blank=True,
        choices=[
            ("email", "E-mail"),
            ("letter", "Letter"),
            ("in_app", "In-app message"),
            ("phone", "Telephone"),
            ("other", "Other"),
        ],
        help_text="How the customer was told.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            # Exactly one customer-notice task per expiry of an order, however often
            # or concurrently the periodic job runs.
            models.UniqueConstraint(
                fields=["nondisclosure_order", "ndo_expired_on"],
                condition=Q(kind="customer_notice"),
                name="task_one_customer_notice_per_ndo_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(kind="customer_notice")
                | Q(nondisclosure_order__isnull=False, ndo_expired_on__isnull=False),
                name="task_customer_notice_names_its_order",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True) | Q(done_at__isnull=False),
                name="task_done_by_only_when_done",
            ),
        ]
        indexes = [
            # The dashboard's open tasks by due date.
            models.Index(fields=["done_at", "due_on"], name="task_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> Self:
        """Not yet marked read: the header's count (the (user, read_at) index)."""
        return self.filter(read_at__isnull=True)

    def mark_read(self, *, at: dt.datetime) -> int:
        """Mark the unread ones read at `at`; a notice read before keeps its time."""
        return self.unread().update(read_at=at)


class Notification(models.Model):
    """An in-app notice to one person, also e-mailed when `email_to` is set: deadline
    reminders and emergency demands.

    A notice's row is created before its e-mail is sent: the unique constraints make
    a second or concurrent run a no-op, and `emailed_at` marks delivery.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notifications")
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    message = models.TextField()
    email_to = models.EmailField(blank=True, help_text="Blank when the person has no e-mail address.")
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "kind", "user"],
                condition=Q(deadline__isnull=False),
                name="notification_one_reminder_per_deadline_kind_user",
            ),
            # An emergency demand is announced once to each person, however often
            # (or concurrently) the announcement runs.
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(kind="emergency"),
                name="notification_one_emergency_per_case_user",
            ),
        ]
        indexes = [
            # A person's unread notifications, newest first.
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"


# The order in which counsel's overrides of a holding supersede one another.
OVERRIDE_ORDER = ("created_at", "pk")


# A TypeVar, not PEP 695's `in_force[T]`: tools that read the code may run an older Python.
T = TypeVar("T")


def in_force(overrides: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:  # noqa: UP047 (see T)
    """Which override wins, said once: of the overrides of one holding (`key`), given
    in `OVERRIDE_ORDER`, the latest is in force; the earlier ones stay on record.
    Takes rows (also a migration's) or the export's dicts."""
    latest = {}
    for override in overrides:
        latest[key(override)] = override
    return list(latest.values())


class HoldingOverrideQuerySet(models.QuerySet):
    def in_order(self):
        """Oldest first, the order in which they supersede one another."""
        return self.order_by(*OVERRIDE_ORDER)

    def in_force(self) -> list["HoldingOverride"]:
        """The override in force of each holding overridden: the latest of each."""
        return in_force(self.in_order(), key=attrgetter("analysis_id", "item"))


class HoldingOverride(models.Model):
    """Counsel's answer for one holding of an analysis, in place of the engine's, with a reason.

    Append-only like the timeline: a later override of the same holding supersedes an
    earlier one, which stays on record. The holding is identified by its row in the
    analysis's result (`item`) and, for reading without the JSON, by its account,
    category and storage country.
    """

    analysis = models.ForeignKey(Analysis, on_delete=models.PROTECT, related_name="overrides")
    item = models.PositiveIntegerField(help_text="Index of the holding in the analysis result's items.")
    account = models.CharField(max_length=320)
    category = models.CharField(max_length=16)
    storage = models.CharField(max_length=2, blank=True, help_text="Blank when the location is unknown.")
    reach = models.CharField(max_length=8, choices=Reach.choices)
    route = models.CharField(max_length=24, choices=Route.choices)
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HoldingOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["analysis", "item", *OVERRIDE_ORDER]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="override_has_reason"),
            models.CheckConstraint(condition=Q(reach__in=Reach.values), name="override_reach_known"),
            models.CheckConstraint(condition=Q(route__in=Route.values), name="override_route_known"),
        ]
        indexes = [
            # The case file: the overrides of one analysis, per holding.
            models.Index(fields=["analysis", "item"], name="override_analysis_item"),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.category}: {self.reach}/{self.route} (override)"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.analysis.refresh_report_flags()  # the report counts the answer in force


# --- Webhooks -----------------------------------------------------------------------


def _webhook_secret() -> str:
    import secrets

    return f"whsec_{secrets.token_hex(32)}"


# --- the case record: productions, documents, correspondence, emergency disclosure ---


class Production(models.Model):
    """What the provider disclosed (or withheld) in answer to a case: one delivery."""

    class Method(models.TextChoices):
        PORTAL = "portal", "Law-enforcement portal"
        SECURE_EMAIL = "secure_email", "Secure e-mail"
        PHYSICAL_MEDIA = "physical_media", "Physical media"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="productions")
    number = models.CharField(max_length=60, help_text="The production number (Bates or the team's own).")
    produced_on = models.DateField()
    recipient = models.CharField(max_length=200, help_text="Who received it (agency, officer, court).")
    method = models.CharField(max_length=20, choices=Method.choices)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["produced_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="production_number_unique_per_case"),
            models.CheckConstraint(
                condition=Q(method__in=["portal", "secure_email", "physical_media"]), name="production_method_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Production {self.number} of case {self.case_id}"


class ProductionItem(models.Model):
    """One holding (or a whole data category) in a production: produced, or withheld and why."""

    class Disposition(models.TextChoices):
        PRODUCED = "produced", "Produced"
        WITHHELD = "withheld", "Withheld"

    production = models.ForeignKey(Production, on_delete=models.PROTECT, related_name="items")
    holding = models.ForeignKey(
        "requests_app.Holding", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(max_length=16, blank=True, help_text="A data category, when not one holding.")
    disposition = models.CharField(max_length=10, choices=Disposition.choices)
    reason = models.TextField(blank=True, help_text="Required when withheld.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disposition__in=["produced", "withheld"]), name="production_item_disposition_known"
            ),
            models.CheckConstraint(
                condition=~Q(disposition="withheld") | ~Q(reason=""), name="production_item_withheld_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(holding__isnull=False, category="") | Q(holding__isnull=True) & ~Q(category=""),
                name="production_item_holding_or_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_disposition_display()}: {self.holding or self.category}"


class Correspondence(models.Model):
    """One letter, e-mail or call with the requesting authority, in or out."""

    class Direction(models.TextChoices):
        IN = "in", "Received"
        OUT = "out", "Sent"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        LETTER = "letter", "Letter"
        PHONE = "phone", "Telephone"
        PORTAL = "portal", "Portal"
        FAX = "fax", "Fax"
        IN_PERSON = "in_person", "In person"
        OTHER = "other", "Other"

    class Letter(models.TextChoices):
        CLARIFICATION = "clarification", "Request for clarification"
        OBJECTION = "objection", "Objection"
        REDIRECT = "redirect", "Redirect to the entity that controls the data"
        MLAT_REFERRAL = "mlat_referral", "MLAT referral"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="correspondence")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    occurred_on = models.DateField()
    channel = models.CharField(max_length=12, choices=Channel.choices)
    counterpart = models.CharField(max_length=200, help_text="Who wrote or was written to.")
    summary = models.TextField()
    letter = models.CharField(
        max_length=20, choices=Letter.choices, blank=True, help_text="When generated from the case."
    )
    body = models.TextField(blank=True, help_text="The text sent, for a letter generated from the case.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["occurred_on", "pk"]
        verbose_name_plural = "correspondence"
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=["in", "out"]), name="correspondence_direction_known"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.occurred_on}: {self.counterpart}"


class CaseDocument(models.Model):
    """A file on the case, kept with its SHA-256, size and content type."""

    class Kind(models.TextChoices):
        DEMAND = "demand", "The demand"
        NONDISCLOSURE_ORDER = "nondisclosure_order", "Nondisclosure order"
        MOTION = "motion", "Motion"
        COURT_ORDER = "court_order", "Court order"
        CORRESPONDENCE = "correspondence", "Correspondence"
        PRODUCTION = "production", "Production"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="case-documents/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    production = models.ForeignKey(Production, null=True, blank=True, on_delete=models.PROTECT, related_name="files")
    correspondence = models.ForeignKey(
        Correspondence, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="case_document_sha256_hex"),
        ]

    def __str__(self) -> str:
        return self.title


class EmergencyDisclosureDecision(models.Model):
    """Counsel's decision on an emergency disclosure request (18 U.S.C. §2702(b)(8), (c)(4))."""

    class Decision(models.TextChoices):
        DISCLOSE = "disclose", "Disclose"
        DECLINE = "decline", "Decline"

    class Verification(models.TextChoices):
        CALL_BACK = "call_back", "Call-back to a known number"
        OFFICIAL_DOMAIN = "official_domain", "E-mail from the agency's official domain"
        PORTAL = "portal", "Authenticated law-enforcement portal"
        IN_PERSON = "in_person", "In person, credentials checked"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="disclosure_decisions")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    basis = models.TextField(
        help_text="The good-faith belief that an emergency involving danger of death or serious physical injury "
        "requires disclosure without delay, and what supports it."
    )
    verification = models.CharField(max_length=20, choices=Verification.choices)
    verification_detail = models.TextField(
        help_text="How the requester's identity was confirmed: number called, by whom, when."
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=["disclose", "decline"]), name="disclosure_decision_known"),
            models.CheckConstraint(condition=~Q(basis=""), name="disclosure_decision_has_basis"),
            models.CheckConstraint(condition=~Q(verification_detail=""), name="disclosure_decision_has_verification"),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} (case {self.case_id})"


class WebhookEndpoint(models.Model):
    """A client system's receiver of case changes: every new timeline entry is POSTed
    to it, signed with its secret (see cases/webhooks.py and README.md, "Webhooks").

    The secret is needed in clear to sign, so it is encrypted, not hashed: the column
    holds a Fernet token, `endpoint.secret` the plain secret (cases/webhook_security.py).
    An admin sees it once, when the endpoint is created or its secret rotated.

    The URL must be https (http only with DEBUG on) and resolve to public addresses
    only; checked here on registration and again at every delivery (cases/webhooks.py)."""

    EVENT_TYPES = {
        "case.status_changed": "Status changes",
        "case.appeal_changed": "Appeal track changes",
        "case.contempt_changed": "Contempt track changes",
        "case.analysis": "Analyses: a new or changed answer, sign-off, override",
        "case.deadline": "Deadlines added, moved, met or cancelled",
        "case.event_recorded": "Any other timeline entry: court events, stays, nondisclosure orders, tasks",
    }

    name = models.CharField(max_length=100, help_text="Which client system receives it.")
    url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"]), validate_webhook_url],
        help_text="Where the changes are POSTed: an https URL of a receiver on the public internet.",
    )
    secret = EncryptedSecretField(default=_webhook_secret, editable=False)
    events = models.JSONField(default=list, blank=True, help_text="Event types subscribed to; none: all of them.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"), name="webhook_url_http"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not isinstance(self.events, list) or any(e not in self.EVENT_TYPES for e in self.events):
            raise ValidationError({"events": f"Event types are a list of: {', '.join(self.EVENT_TYPES)}."})

    def subscribes_to(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDelivery(models.Model):
    """One timeline entry delivered (or being delivered) to one endpoint: recorded once,
    however often its task runs; retried with backoff until delivered or given up."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="webhook_deliveries")
    delivery_id = models.UUIDField(unique=True, editable=False, help_text="Sent as X-Lexloci-Delivery.")
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    attempts = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True, help_text="Of the last attempt.")
    # The receiver's answer is never kept: shown back, it made a URL a way to read internal services.
    duration = models.DurationField(null=True, blank=True, help_text="How long the last attempt took.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="An attempt is under way until then.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True, help_text="Given up after the last attempt.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once"),
        ]

    def __str__(self) -> str:
        state = "delivered" if self.delivered_at else "failed" if self.failed_at else "pending"
        return f"{self.event_type} #{self.event_id} → {self.endpoint.name} ({state})"
