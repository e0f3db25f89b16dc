"""Demands as received: the legal process, its target accounts, where their data is
held, and any nondisclosure order that comes with it."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from jurisdictions.models import Category, ControllingEntity, Court, DataLocation, Jurisdiction, LegalInstrument
from jurisdictions.reach import limits

# The demand's facts as received, in the order the intake page and the API show them.
DEMAND_FACTS = [
    "reference",
    "instrument",
    "issuing_jurisdiction",
    "issuing_authority",
    "court",
    "served_entity",
    "served_at",
    "received_at",
    "emergency",
    "due_at",
    "extended",
    "pending_since",
    "request_kind",
    "follows_preservation",
]

# What one demand may name, on the intake page and through the API alike
# (jurisdictions/reach/limits.py holds the figures).
MAX_ACCOUNTS = limits.MAX_ACCOUNTS
MAX_HOLDINGS = limits.MAX_HOLDINGS_PER_ACCOUNT  # per account
MAX_HOLDINGS_PER_DEMAND = limits.MAX_HOLDINGS_PER_DEMAND  # all accounts together


def existing_reference(reference: str, *, excluding: int | None = None) -> tuple[str, int | None] | None:
    """The demand that has this reference already, ignoring case and surrounding spaces
    (other than the demand `excluding`, whose own it is): its reference as logged and
    its case's id. None when the reference is free."""
    # Compared as the unique index on LOWER(reference) holds it, so the index answers.
    demands = Demand.objects.annotate(reference_lower=Lower("reference")).filter(
        reference_lower=(reference or "").strip().lower()
    )
    if excluding is not None:
        demands = demands.exclude(pk=excluding)
    return demands.values_list("reference", "case__pk").first()


def reference_taken(reference: str, *, excluding: int | None = None) -> str | None:
    """Why a reference cannot be used: an existing demand has it (`existing_reference`).
    These are the API's words; the intake page links to the case instead. None when it
    is free."""
    existing = existing_reference(reference, excluding=excluding)
    if existing is None:
        return None
    taken, case = existing
    where = f" (case {case}, /cases/{case}/)" if case else ""
    return f"A demand with reference {taken} is already logged{where}."


# What the document served on the provider is called, where it is not the instrument's
# own name: an EPO is served as its certificate (Regulation (EU) 2023/1543 Art. 9).
DOCUMENT_NAMES = {
    "US-SCA-2703D": "Court order",
    "EU-EPO": "European Production Order Certificate (EPOC)",
    "EU-EPO-PR": "European Preservation Order Certificate (EPOC-PR)",
    "BR-MCI-ORDER": "Court order",
    "DE-STPO-95": "Request to surrender",
}


def document_name(instrument: LegalInstrument | None) -> str:
    """What the demand's document is called: "Warrant" for a US warrant, "Overseas
    production order", "European Production Order Certificate (EPOC)"..."""
    if instrument is None:
        return "Demand document"
    return DOCUMENT_NAMES.get(instrument.code, instrument.name)


def arrival_errors(served_at, received_at) -> dict[str, str]:
    """What is wrong with when a demand was served and received: received before it was
    served, or either more than a day ahead of now (a typo in the year, usually)."""
    import datetime as dt

    from django.utils import timezone

    errors = {}
    latest = timezone.now() + dt.timedelta(days=1)
    for field, value in (("served_at", served_at), ("received_at", received_at)):
        if value is not None and value > latest:
            errors[field] = f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC is in the future: check the date."
    if served_at and received_at and received_at < served_at and "received_at" not in errors:
        errors["received_at"] = "Received before it was served: check both times."
    return errors


def instrument_errors(
    instrument: LegalInstrument | None,
    issuing_jurisdiction: str | None,
    *,
    served_at=None,
    received_at=None,
    extended: bool = False,
    pending_since=None,
    court: Court | None = None,
) -> dict[str, str]:
    """What the demand's instrument does not allow, by field: an issuer that may not
    issue it on the day it was served (its own jurisdiction, or for EU-EPO and EU-EPO-PR
    a member of every issuing bloc that day: RULES.md §2 step 1; never the EU itself),
    a `court` of another jurisdiction than the issuer, `extended` on a production (only
    a preservation is extended), `pending_since` on process other than Indian
    (IN-CRPC-91, IN-BNSS-94), or a proceeding that began after the demand was served.
    Nothing is checked without an instrument (its own field says why)."""
    import datetime as dt

    from django.utils import timezone

    errors: dict[str, str] = {}
    if instrument is None:
        return errors
    day = timezone.localdate(served_at or received_at) if (served_at or received_at) else timezone.localdate()
    if issuing_jurisdiction and not instrument.allows_issuer(issuing_jurisdiction, day):
        errors["issuing_jurisdiction"] = (
            f"{issuing_jurisdiction} cannot issue this demand: {instrument.issuer_rule(day)}."
        )
        if issuing_jurisdiction == instrument.jurisdiction_id:
            # EU-EPO's own jurisdiction is the EU, which issues nothing itself.
            errors["issuing_jurisdiction"] += " Name the member state whose authority issued it."
    elif issuing_jurisdiction and court is not None and court.jurisdiction_id != issuing_jurisdiction:
        errors["court"] = (
            f"{court.name} is a court or authority of {court.jurisdiction_id}, not of the issuing jurisdiction "
            f"{issuing_jurisdiction}: pick one of {issuing_jurisdiction}'s, or none (and name it as the issuing "
            "authority)."
        )
    if extended and not instrument.is_preservation:
        errors["extended"] = (
            f"Only a preservation is extended: {instrument.code} is a {instrument.get_kind_display().lower()} "
            "instrument. Untick it."
        )
    if pending_since is not None:
        if not instrument.takes_pending_since:
            codes = ", ".join(
                LegalInstrument.objects.exclude(pending_rule="").order_by("code").values_list("code", flat=True)
            )
            errors["pending_since"] = (
                f"Only for Indian process ({codes or 'none in the catalogue'}), whose proceeding may have been "
                f"pending when the BNSS came into force; {instrument.code} does not use it. Leave it blank."
            )
        elif isinstance(pending_since, dt.date) and pending_since > day:
            errors["pending_since"] = (
                f"The proceeding cannot have begun after the demand was served ({day:%Y-%m-%d}): check the date."
            )
    return errors


class RequestKind(models.TextChoices):
    """What the requester asks of the provider (issue: the case record)."""

    COMPULSORY = "compulsory", "Compulsory demand"
    PRESERVATION = "preservation", "Preservation request"
    EMERGENCY_DISCLOSURE = "emergency_disclosure", "Emergency disclosure request"


class Demand(models.Model):
    """One piece of legal process served on the provider."""

    reference = models.CharField(max_length=100, unique=True, help_text="The authority's docket or reference number.")
    instrument = models.ForeignKey(LegalInstrument, on_delete=models.PROTECT, related_name="demands")
    issuing_jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="demands_issued")
    issuing_authority = models.CharField(max_length=200, help_text="Agency or prosecutor that obtained the process.")
    court = models.ForeignKey(Court, null=True, blank=True, on_delete=models.PROTECT, related_name="demands")
    served_entity = models.ForeignKey(ControllingEntity, on_delete=models.PROTECT, related_name="demands_served")
    served_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    emergency = models.BooleanField(default=False)
    due_at = models.DateTimeField(null=True, blank=True, help_text="Due date stated on the demand, if any.")
    extended = models.BooleanField(
        default=False, help_text="A preservation the issuing authority extended (RULES.md §5.1); preservations only."
    )
    pending_since = models.DateField(
        null=True,
        blank=True,
        help_text="Indian process only: the day the investigation, inquiry or trial began (BNSS s. 531(2)(a)).",
    )
    document = models.FileField(
        upload_to="demands/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["pdf"])],
    )
    request_kind = models.CharField(
        max_length=24,
        choices=RequestKind.choices,
        default=RequestKind.COMPULSORY,
        help_text="A preservation instrument makes a preservation request; an emergency disclosure request asks "
        "for voluntary disclosure under 18 U.S.C. §2702(b)(8) (content) and (c)(4) (records).",
    )
    follows_preservation = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followed_by",
        help_text="The preservation request this demand follows (the preservation is then fulfilled).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(served_at__isnull=True) | Q(received_at__gte=F("served_at")),
                name="demand_received_not_before_served",
            ),
            # "TEST-2026-001" and "test-2026-001" are one reference (the forms say so first).
            models.UniqueConstraint(Lower("reference"), name="demand_reference_unique_ignoring_case"),
            models.CheckConstraint(condition=Q(request_kind__in=RequestKind.values), name="demand_request_kind_known"),
            models.CheckConstraint(
                condition=Q(follows_preservation__isnull=True) | ~Q(follows_preservation=F("pk")),
                name="demand_does_not_follow_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class TargetAccount(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="accounts")
    identifier = models.CharField(
        max_length=320, help_text="E-mail address, user id or phone number named in the demand."
    )
    service = models.CharField(max_length=100, blank=True)
    us_person = models.BooleanField(null=True, blank=True, help_text="Blank when unknown; unknown is not 'no'.")
    residence = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Blank when unknown."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["demand", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "identifier"], name="account_unique_per_demand"),
        ]

    def __str__(self) -> str:
        return self.identifier


class Holding(models.Model):
    """One category of one account's data at one place, controlled by one entity."""

    account = models.ForeignKey(TargetAccount, on_delete=models.PROTECT, related_name="holdings")
    category = models.CharField(max_length=16, choices=Category.choices)
    data_location = models.ForeignKey(
        DataLocation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holdings",
        help_text="Blank when the location is unknown or the data is sharded.",
    )
    controlled_by = models.ForeignKey(ControllingEntity, on_delete=models.PROTECT, related_name="holdings")
    history = HistoricalRecords()

    class Meta:
        ordering = ["account", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values), name="holding_category_known"),
            # One row per category and place; "unknown" (no location) counts as one place.
            models.UniqueConstraint(
                fields=["account", "category", "data_location"],
                condition=Q(data_location__isnull=False),
                name="holding_unique_place",
            ),
            models.UniqueConstraint(
                fields=["account", "category"],
                condition=Q(data_location__isnull=True),
                name="holding_unique_unknown_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.category} @ {self.data_location or 'unknown'}"


class NondisclosureOrder(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="nondisclosure_orders")
    basis = models.CharField(max_length=200, help_text="E.g. 18 U.S.C. §2705(b).")
    starts_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Blank for an order without an end date.")
    extensions = models.JSONField(default=list, blank=True, help_text="Earlier expiry dates, oldest first.")
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["demand", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("starts_on")),
                name="ndo_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.basis} from {self.starts_on}"
