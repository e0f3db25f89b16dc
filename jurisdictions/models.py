"""The catalogue of law and the provider's own entity and data map.

The catalogue rows mirror the data files in `jurisdictions/catalogue/`, which
`load_catalogue` loads; counsel may edit them in the admin, and every edit records
a new CatalogueVersion so each stored analysis names the law it applied.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Jurisdiction(models.Model):
    """A country (ISO 3166-1 alpha-2 code), or the EU for EU law."""

    code = models.CharField(max_length=2, primary_key=True)
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, help_text="IANA zone of the capital, e.g. Europe/Dublin.")
    holidays_country = models.CharField(
        max_length=8, blank=True, help_text="Country code of the `holidays` calendar; blank when none."
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[A-Z]{2}$"), name="jurisdiction_code_iso_alpha2"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Bloc(models.Model):
    """A group of jurisdictions whose membership changes over time (EU, GDPR area...)."""

    code = models.CharField(max_length=32, primary_key=True)
    name = models.CharField(max_length=200)
    citation = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def in_force(self, day: dt.date):
        """The memberships that include `day` (both ends inclusive)."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


class Membership(models.Model):
    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="memberships")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Last day of membership (inclusive); blank if current.")
    citation = models.TextField(blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["bloc", "jurisdiction", "start"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "jurisdiction", "start"], name="membership_unique_start"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="membership_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} in {self.bloc_id} from {self.start}"


class Court(models.Model):
    name = models.CharField(max_length=200, unique=True)
    aliases = models.JSONField(
        default=list, blank=True, help_text="Other spellings, e.g. Southern District of New York."
    )
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="courts")
    circuit = models.CharField(max_length=16, blank=True, help_text="US federal circuit: 1 to 11, DC, FED.")
    time_zone = models.CharField(max_length=64)
    state = models.CharField(
        max_length=8,
        blank=True,
        help_text="The US state where it sits (e.g. NY), whose legal holidays a comity motion's deadline skips "
        "(Fed. R. Crim. P. 45(a)(6)(C)); blank when none.",
    )

    class Meta:
        ordering = ["jurisdiction", "name"]

    def __str__(self) -> str:
        return self.name


class Hook(models.TextChoices):
    PRESENCE = "presence", "Presence in the issuing jurisdiction"
    SERVICES = "services", "Offers services in the issuing jurisdiction"
    SERVICES_OR_GROUP = "services-or-group", "Services, or group presence (Marco Civil Art. 11 §2)"
    EU_ESTABLISHMENT = "eu-establishment", "Establishment in another e-Evidence member state"
    AGREEMENT = "agreement", "US provider under an executive agreement"


class Kind(models.TextChoices):
    """What a demand asks for (RULES.md §1): fixed by its instrument."""

    PRODUCTION = "production", "Production"
    PRESERVATION = "preservation", "Preservation"


class PendingRule(models.TextChoices):
    """Indian process: what a proceeding pending before the cut-off does (BNSS s. 531(2)(a))."""

    CONTINUES = "continues", "Stays available after its end for a proceeding pending by the cut-off"
    EXCLUDED = "excluded", "Not available for a proceeding pending by the cut-off"


class Category(models.TextChoices):
    SUBSCRIBER = "subscriber", "Subscriber"
    TRAFFIC = "traffic", "Traffic"
    CONTENT = "content", "Content"


class Period(models.Model):
    """How a deadline is counted: length, unit, convention, roll-over and clock."""

    class Unit(models.TextChoices):
        DAYS = "days", "Days"
        HOURS = "hours", "Hours"

    class Counting(models.TextChoices):
        DAY_OF_SERVICE_IS_DAY_1 = "day-of-service-is-day-1", "The day of service is day 1"
        AFTER_DAY_OF_SERVICE = "after-day-of-service", "The day of service is not counted"
        AFTER_HOUR_OF_RECEIPT = "after-hour-of-receipt", "Hours from the first full hour after receipt"

    class Clock(models.TextChoices):
        INSTRUMENT = "instrument", "The instrument's jurisdiction"
        ENFORCING_STATE = "enforcing-state", "The enforcing state"
        COURT = "court", "The issuing court"

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    citation = models.TextField()
    length = models.PositiveIntegerField()
    unit = models.CharField(max_length=8, choices=Unit.choices)
    counting = models.CharField(max_length=32, choices=Counting.choices)
    roll_over = models.BooleanField(
        help_text="A last day on a weekend or public holiday moves to the next working day."
    )
    clock = models.CharField(max_length=16, choices=Clock.choices)
    start = models.DateField(null=True, blank=True, help_text="First as-of date on which the period exists.")
    extended_length = models.PositiveIntegerField(
        null=True, blank=True, help_text="A preservation's length once extended (same unit); blank when it cannot be."
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(length__gt=0), name="period_length_positive"),
            models.CheckConstraint(
                condition=Q(extended_length__isnull=True) | Q(extended_length__gt=0),
                name="period_extended_length_positive",
            ),
            models.CheckConstraint(
                condition=(Q(unit="hours") & Q(counting="after-hour-of-receipt"))
                | (Q(unit="days") & ~Q(counting="after-hour-of-receipt")),
                name="period_counting_fits_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.length} {self.unit})"


class LegalInstrumentQuerySet(models.QuerySet):
    def issuers(self) -> dict[str, list[str]]:
        """Each instrument's code -> the jurisdictions that may issue it on some day, in 3
        queries: what the intake page's browser limits the issuer choice to (the server
        checks the served day: `LegalInstrument.allows_issuer`)."""
        rows = list(self.values_list("pk", "code", "jurisdiction_id"))
        instruments = {pk: code for pk, code, _ in rows}
        own = {code: jurisdiction for _, code, jurisdiction in rows}
        blocs: dict[str, list[str]] = {}
        for instrument_id, bloc in LegalInstrument.issuing_blocs.through.objects.filter(
            legalinstrument_id__in=instruments
        ).values_list("legalinstrument_id", "bloc_id"):
            blocs.setdefault(instruments[instrument_id], []).append(bloc)
        spans: dict[tuple[str, str], list[tuple[dt.date, dt.date | None]]] = {}
        wanted = {b for codes in blocs.values() for b in codes}
        for bloc, jurisdiction, start, end in Membership.objects.filter(bloc_id__in=wanted).values_list(
            "bloc_id", "jurisdiction_id", "start", "end"
        ):
            spans.setdefault((bloc, jurisdiction), []).append((start, end))

        def member(bloc: str, jurisdiction: str, day: dt.date) -> bool:
            return any(
                start <= day and (end is None or day <= end) for start, end in spans.get((bloc, jurisdiction), ())
            )

        out = {}
        for code, jurisdiction in own.items():
            needed = blocs.get(code)
            if not needed:
                out[code] = [jurisdiction]
                continue
            candidates = {j for (b, j) in spans if b in needed}
            # Members of every bloc on one day: if such a day exists, one of the spans'
            # first days is such a day.
            out[code] = sorted(
                j
                for j in candidates
                if any(all(member(b, j, start) for b in needed) for b in needed for start, _ in spans.get((b, j), ()))
            )
        return out


class LegalInstrument(models.Model):
    """A kind of legal process (warrant, order, subpoena) and the rules it carries."""

    code = models.CharField(max_length=40, unique=True)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="instruments")
    name = models.CharField(max_length=200)
    citation = models.TextField()
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    categories = models.JSONField(help_text='Data categories it reaches, e.g. ["subscriber", "content"].')
    hook = models.CharField(max_length=32, choices=Hook.choices)
    issuing_blocs = models.ManyToManyField(
        Bloc,
        blank=True,
        related_name="instruments",
        help_text="When set, the issuer must be a member of every one of these blocs instead of the jurisdiction.",
    )
    response_period = models.ForeignKey(Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    emergency_period = models.ForeignKey(Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comity_period = models.ForeignKey(Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PRODUCTION)
    preservation_period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="How long a preservation lasts; a preservation instrument has one, a production instrument none.",
    )
    objection_period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The reasoned objection to a conflicting third-country law (EU-EPO: Art. 17).",
    )
    group_control = models.BooleanField(
        default=False, help_text="The served entity answers for every entity of its group (BR-MCI-ORDER)."
    )
    control_authorities = models.JSONField(
        default=list, blank=True, help_text="Authority ids of group control, in date order (authorities.toml)."
    )
    pending_rule = models.CharField(max_length=16, choices=PendingRule.choices, blank=True)
    pending_cutoff = models.DateField(
        null=True, blank=True, help_text="A proceeding pending on or before this day triggers the pending rule."
    )
    pending_citation = models.TextField(blank=True)
    to_confirm = models.TextField(blank=True, help_text="What counsel must confirm before relying on this row.")

    objects = LegalInstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="instrument_end_after_start"
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="instrument_kind_known"),
            # A preservation lasts for its period; a production has none (RULES.md §4.1).
            models.CheckConstraint(
                condition=(Q(kind=Kind.PRESERVATION) & Q(preservation_period__isnull=False))
                | (~Q(kind=Kind.PRESERVATION) & Q(preservation_period__isnull=True)),
                name="instrument_preservation_has_period",
            ),
            models.CheckConstraint(
                condition=Q(pending_rule="") | Q(pending_cutoff__isnull=False),
                name="instrument_pending_rule_has_cutoff",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_preservation(self) -> bool:
        return self.kind == Kind.PRESERVATION

    @property
    def takes_pending_since(self) -> bool:
        """Whether the day a proceeding began matters (Indian process, BNSS s. 531(2)(a))."""
        return bool(self.pending_rule)

    def allows_issuer(self, jurisdiction: str | None, on: dt.date) -> bool:
        """Whether `jurisdiction` (a code) may issue this instrument on `on` (RULES.md §2
        step 1): the instrument's own jurisdiction or, for an instrument with issuing
        blocs (EU-EPO, EU-EPO-PR), a member of every one of them that day."""
        blocs = [b.pk for b in self.issuing_blocs.all()]
        if not blocs:
            return jurisdiction == self.jurisdiction_id
        members = Membership.objects.filter(bloc_id__in=blocs, jurisdiction_id=jurisdiction).in_force(on)
        return set(members.values_list("bloc_id", flat=True)) == set(blocs)

    def issuer_rule(self, on: dt.date) -> str:
        """Who may issue it on `on`, in words (the form's and the API's error)."""
        blocs = [b.pk for b in self.issuing_blocs.all()]
        if not blocs:
            return f"{self.code} is issued by {self.jurisdiction_id} only"
        return f"{self.code} is issued by a member of {' and '.join(sorted(blocs))} on the day it is served ({on})"


class Doctrine(models.TextChoices):
    CONTROL = "control-based", "Control-based"
    STORAGE = "storage-based", "Storage-based"


class DoctrinePeriod(models.Model):
    """Which doctrine instruments follow on a date; the first matching row by position wins."""

    position = models.PositiveIntegerField(help_text="Rows are tried in this order.")
    instruments = models.ManyToManyField(LegalInstrument, related_name="doctrine_periods")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    circuits = models.JSONField(default=list, blank=True, help_text="Only courts of these circuits; empty = any.")
    except_circuits = models.JSONField(
        default=list, blank=True, help_text="Any court except these circuits' (unknown courts included)."
    )
    doctrine = models.CharField(max_length=16, choices=Doctrine.choices)
    authorities = models.JSONField(
        default=list,
        blank=True,
        help_text="Authority ids the row rests on, in date order (authorities.toml); empty = the instrument's statute.",
    )
    note = models.TextField(blank=True, help_text="Why, in words (e.g. territoriality).")
    to_confirm = models.TextField(blank=True, help_text="What counsel must confirm before relying on this row.")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["position"], name="doctrine_period_position_unique"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="doctrine_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doctrine} from {self.start}"


class ConflictRule(models.Model):
    class Severity(models.TextChoices):
        PROHIBITION = "prohibition", "Prohibition"
        RESTRICTION = "restriction", "Restriction"

    class Trigger(models.TextChoices):
        STORED_IN_COUNTRY = "stored_in_country_not_issuer", "Stored in one of the countries; issuer is none of them"
        STORED_IN_BLOC = "stored_in_bloc_not_issuer", "Stored in a bloc member; issuer is not a member"
        CONTROLLER_IN_COUNTRY = "controller_in_country_not_issuer", "Controller incorporated in one of the countries"

    code = models.CharField(max_length=40, unique=True)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="conflict_rules")
    law = models.TextField()
    citation = models.TextField(blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    trigger = models.CharField(max_length=48, choices=Trigger.choices)
    countries = models.ManyToManyField(Jurisdiction, blank=True, related_name="+")
    bloc = models.ForeignKey(Bloc, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    except_countries = models.ManyToManyField(Jurisdiction, blank=True, related_name="+")
    categories = models.JSONField(default=list, blank=True, help_text="Only these data categories; empty = all.")
    authorities = models.JSONField(
        default=list, blank=True, help_text="Authority ids the rule rests on, in date order (authorities.toml)."
    )
    except_authorities = models.JSONField(
        default=list,
        blank=True,
        help_text="Authority ids of what keeps it from applying (the excepted countries, a lifting agreement), "
        "in date order.",
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="conflict_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(trigger="stored_in_bloc_not_issuer") | Q(bloc__isnull=False),
                name="conflict_bloc_trigger_has_bloc",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Agreement(models.Model):
    class Kind(models.TextChoices):
        EXECUTIVE = "executive", "CLOUD Act executive agreement"
        MLAT = "mlat", "Mutual legal assistance"

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    citation = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    start = models.DateField(help_text="In force from.")
    end = models.DateField(null=True, blank=True)
    parties = models.ManyToManyField(Jurisdiction, related_name="agreements", blank=True)
    party_blocs = models.ManyToManyField(Bloc, related_name="agreements", blank=True)
    designates = models.ManyToManyField(LegalInstrument, related_name="designated_by", blank=True)
    lifts = models.ManyToManyField(ConflictRule, related_name="lifted_by", blank=True)
    qualifying_foreign_government = models.BooleanField(default=False)
    forbids_targeting_us_persons = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="agreement_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CatalogueVersion(models.Model):
    """One state of the catalogue. Analyses store the version they applied."""

    number = models.PositiveIntegerField(unique=True)
    content_hash = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=[("files", "Data files"), ("admin", "Admin edit")])
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"

    def __str__(self) -> str:
        return f"v{self.number} ({self.content_hash[:10]})"


class ControllingEntity(models.Model):
    """A legal entity of the provider's group."""

    name = models.CharField(max_length=200, unique=True)
    country = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="subsidiaries")
    establishments = models.JSONField(
        default=list, blank=True, help_text="Countries with a branch or office, in order (ISO codes)."
    )
    offers_services_in = models.JSONField(
        default=list, blank=True, help_text='Countries where it offers services (ISO codes), or ["*"] for everywhere.'
    )
    designated_for = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="designated_representatives",
        help_text="Entities for which it is the designated establishment or legal representative "
        "in the EU (Directive (EU) 2023/1544).",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "controlling entities"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="entity_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class DataLocation(models.Model):
    """A data centre or region where the provider stores data."""

    name = models.CharField(max_length=200, unique=True)
    country = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="data_locations")
    operated_by = models.ForeignKey(ControllingEntity, on_delete=models.PROTECT, related_name="data_locations")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})"
