"""The intake page's forms: the demand, its nondisclosure order, accounts and holdings.

`DemandIntake` binds them all (a formset of accounts, each with a formset of
holdings), validates them together and saves them in one transaction, so a bad
holding on the third account leaves nothing written.
"""

import re
import secrets
from collections.abc import Callable
from typing import cast

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.forms import formset_factory
from django.forms.models import ModelChoiceIteratorValue
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import CallableChoiceIterator
from django.utils.html import format_html

from accounts.time_zones import is_zone
from cases.actions import AccountToLog, log_demand
from cases.actions.intake import chosen_kind_error
from jurisdictions.forms import residence_field, us_person_field
from jurisdictions.models import Category, ControllingEntity, Court, DataLocation, Jurisdiction, LegalInstrument
from requests_app.documents import validate_pdf_document
from requests_app.models import (
    DEMAND_FACTS,
    MAX_ACCOUNTS,
    MAX_HOLDINGS,
    Demand,
    Holding,
    NondisclosureOrder,
    RequestKind,
    TargetAccount,
    arrival_errors,
    document_name,
    existing_reference,
    instrument_errors,
)


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InstrumentSelect(forms.Select):
    """The instrument picker. Each option carries what the page's script needs to fit
    the rest of the form to it: `data-kind`, `data-issuers` (the jurisdictions that may
    issue it on some day; the server checks the served day), `data-document` (what the
    document served is called) and `data-pending` (Indian process, which takes the day
    its proceeding began)."""

    # A callable giving code -> issuers; the form sets it (queried once per page).
    issuers: Callable[[], dict[str, list[str]]] | None = None

    def get_context(self, name, value, attrs):
        self._issuers = self.issuers() if self.issuers else LegalInstrument.objects.issuers()
        return super().get_context(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instrument = getattr(value, "instance", None)
        if instrument is not None:
            option["attrs"]["data-kind"] = instrument.kind
            option["attrs"]["data-issuers"] = " ".join(getattr(self, "_issuers", {}).get(instrument.code, []))
            option["attrs"]["data-document"] = document_name(instrument)
            if instrument.takes_pending_since:
                option["attrs"]["data-pending"] = "1"
        return option


class CourtSelect(forms.Select):
    """The courts and issuing authorities, grouped by jurisdiction; each option carries
    `data-jurisdiction` (the page's script offers those of the issuing jurisdiction)
    and `data-zone` (where it sits: the times' zone when none is picked)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        court = getattr(value, "instance", None)
        if court is not None:
            option["attrs"]["data-jurisdiction"] = court.jurisdiction_id
            option["attrs"]["data-zone"] = court.time_zone
        return option


class InstrumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LegalInstrument) -> str:
        """E.g. "US-SCA-PRESERVATION — Preservation request, 18 U.S.C. §2703(f) (preservation)"."""
        return f"{obj.code} — {obj.name} ({obj.get_kind_display().lower()})"


# The zones demands are usually served in; the served, received and due times are
# entered as wall-clock times in the one picked (UTC by default) and stored in UTC.
TIME_ZONES = [
    ("UTC", "UTC"),
    ("America/Los_Angeles", "US Pacific (Los Angeles, Seattle)"),
    ("America/Denver", "US Mountain (Denver)"),
    ("America/Chicago", "US Central (Chicago)"),
    ("America/New_York", "US Eastern (New York, Washington)"),
    ("America/Sao_Paulo", "Brasília (São Paulo)"),
    ("Europe/London", "London"),
    ("Europe/Dublin", "Dublin"),
    ("Europe/Brussels", "Central Europe (Brussels, Paris, Berlin)"),
    ("Europe/Helsinki", "Eastern Europe (Helsinki, Athens)"),
    ("Asia/Kolkata", "India (New Delhi)"),
    ("Asia/Singapore", "Singapore"),
    ("Asia/Tokyo", "Tokyo"),
    ("Australia/Sydney", "Sydney"),
]
ZONE_NAMES = dict(TIME_ZONES)
COURT_ZONE = ""  # the blank choice: the issuing court's zone, else UTC


def _can_name_a_row(code: str, model) -> bool:
    """Whether raw input read before its field is checked may be looked up as `model`'s
    code: no NUL (PostgreSQL refuses one in a query: a 500) and not longer than a code."""
    return "\x00" not in code and len(code) <= (model._meta.get_field("code").max_length or 0)


def known_zone(zone) -> bool:
    """Whether `zone` is an IANA time zone name (e.g. Europe/Berlin)."""
    return isinstance(zone, str) and is_zone(zone)


class ZoneField(forms.ChoiceField):
    """The zone typed times are read in: the usual ones and the courts' are offered; any
    IANA zone is accepted (a user's own zone need not be in the list)."""

    def valid_value(self, value) -> bool:
        return known_zone(value)


def zone_choices(*extra: str, blank: str | None = None) -> list:
    """The usual zones, then any other zone in `extra` (a court's, the user's) under
    "Other zones"; `blank` labels a first, empty choice."""
    others = sorted({z for z in extra if z and z not in ZONE_NAMES and known_zone(z)})
    choices: list = [(COURT_ZONE, blank)] if blank else []
    choices += TIME_ZONES
    if others:
        choices.append(("Other zones", [(z, z.replace("_", " ")) for z in others]))
    return choices


# A document that passed its checks on a refused intake is kept in the storage (under
# a random name) until the form is sent again, so it need not be attached again; the
# form carries a signed reference to it, valid for its user and a day.
KEPT_DIR = "intake-kept"
KEPT_SALT = "requests_app.intake.kept-document"
KEPT_MAX_AGE = 24 * 3600
_KEPT_KEY = re.compile(rf"{KEPT_DIR}/[A-Za-z0-9_-]{{32,64}}\.pdf")


def sweep_kept(now=None) -> int:
    """Delete kept documents older than their token (abandoned forms); how many."""
    now = now or timezone.now()
    try:
        names = default_storage.listdir(KEPT_DIR)[1]
    except FileNotFoundError:
        return 0
    swept = 0
    for name in names:
        key = f"{KEPT_DIR}/{name}"
        try:
            stale = (now - default_storage.get_modified_time(key)).total_seconds() > KEPT_MAX_AGE
        except (FileNotFoundError, NotImplementedError):
            continue
        if stale:
            default_storage.delete(key)
            swept += 1
    return swept


def keep_document(document, *, user_id) -> str:
    """Store a checked upload under a random name; the signed token that names it.
    Documents kept for forms never sent again are swept out here, after a day."""
    sweep_kept()
    key = default_storage.save(f"{KEPT_DIR}/{secrets.token_urlsafe(32)}.pdf", document)
    name = (document.name or "document.pdf").rsplit("/", 1)[-1][:120]
    return signing.dumps({"key": key, "name": name, "user": user_id}, salt=KEPT_SALT)


def kept_document(token: str, *, user_id) -> dict | None:
    """The kept document a token names ({key, name}), or None when the token is not
    one this user was given in the last day or its file is gone."""
    try:
        kept = signing.loads(token, salt=KEPT_SALT, max_age=KEPT_MAX_AGE)
    except signing.BadSignature:  # expired tokens too (SignatureExpired)
        return None
    if user_id is None or not isinstance(kept, dict) or kept.get("user") != user_id:
        return None
    key = kept.get("key")
    if not isinstance(key, str) or not _KEPT_KEY.fullmatch(key) or not default_storage.exists(key):
        return None
    return {"key": key, "name": str(kept.get("name") or "document.pdf")}


def discard_kept(token: str | None, *, user_id) -> None:
    if token and (kept := kept_document(token, user_id=user_id)):
        default_storage.delete(kept["key"])


class DemandForm(forms.ModelForm):
    time_zone = ZoneField(
        choices=TIME_ZONES,
        required=False,
        label="Times below are in",
        help_text="The wall-clock times you enter are read in this zone and stored in UTC.",
        widget=forms.Select(attrs={"data-role": "zone"}),
    )
    instrument = InstrumentChoiceField(
        queryset=LegalInstrument.objects.order_by("code"),
        to_field_name="code",
        widget=InstrumentSelect(attrs={"data-role": "instrument"}),
        error_messages={"invalid_choice": "Unknown instrument: pick one from the catalogue."},
    )
    # Any code is read (a refused one is refused naming the instrument); only the
    # jurisdictions that may issue some instrument are offered (never the EU itself).
    issuing_jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.order_by("name"),
        widget=forms.Select(attrs={"data-role": "issuer"}),
        help_text="Only the jurisdictions that may issue the instrument are accepted.",
        error_messages={"invalid_choice": "Unknown jurisdiction: pick one from the list."},
    )
    court = forms.ModelChoiceField(
        queryset=Court.objects.select_related("jurisdiction"),
        required=False,
        label="Issuing court or authority",
        empty_label="None / not listed",
        widget=CourtSelect(attrs={"data-role": "court"}),
        help_text="Those of the issuing jurisdiction are offered. One that is not listed: name it under "
        "Issuing authority.",
        error_messages={"invalid_choice": "Unknown court: pick one from the list, or none."},
    )
    served_entity = forms.ModelChoiceField(queryset=ControllingEntity.objects.order_by("name"))
    request_kind = forms.ChoiceField(
        choices=[("", "From the instrument"), *RequestKind.choices],
        required=False,
        label="Request kind",
        widget=forms.Select(attrs={"data-role": "request-kind"}),
        help_text="A preservation instrument makes a preservation request. Choose emergency disclosure for a US "
        "government request to disclose voluntarily under 18 U.S.C. §2702(b)(8) (content) or (c)(4) (records) "
        "because of danger of death or serious physical injury: it is handled as an emergency.",
    )
    follows_preservation = forms.ModelChoiceField(
        queryset=Demand.objects.filter(request_kind=RequestKind.PRESERVATION).order_by("-created_at"),
        required=False,
        empty_label="None",
        label="Follows preservation",
        help_text="The preservation request of the same served entity that this demand follows; it is then fulfilled.",
    )
    document = forms.FileField(
        required=False,
        label="Demand document (PDF, at most 10 MB)",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf", "data-role": "document"}),
    )
    # The signed reference to a document kept from a refused try (`keep_document`).
    kept_document: forms.CharField | None = forms.CharField(required=False, widget=forms.HiddenInput)

    document_label = "{name} (PDF, at most 10 MB)"

    class Meta:
        model = Demand
        fields = [*DEMAND_FACTS, "document"]
        labels = {
            "served_at": "Served",
            "received_at": "Received",
            "due_at": "Stated due date",
            "issuing_authority": "Issuing authority",
            "extended": "Preservation extended",
            "pending_since": "Proceeding pending since",
        }
        help_texts = {
            "extended": "Preservation requests only: the issuing authority extended it once.",
            "pending_since": "Indian process only (IN-CRPC-91, IN-BNSS-94): the day the investigation, inquiry or "
            "trial began. Blank when not known.",
        }
        widgets = {
            "served_at": _datetime_widget(),
            "received_at": _datetime_widget(),
            "due_at": _datetime_widget(),
            "pending_since": _date_widget(),
            "extended": forms.CheckboxInput(attrs={"data-role": "extended"}),
        }

    field_order = ["reference", "instrument", "issuing_jurisdiction", "issuing_authority", "court", "served_entity",
                   "time_zone"]  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id = getattr(user, "pk", None)
        self._issuers: dict[str, list[str]] | None = None
        self._courts: list[Court] | None = None
        instrument = self.fields["instrument"].widget
        if isinstance(instrument, InstrumentSelect):
            instrument.issuers = self.issuers
        # Rendered lazily: a POST that is saved never queries them.
        self.fields["issuing_jurisdiction"].widget.choices = CallableChoiceIterator(self._issuer_choices)
        self.fields["court"].widget.choices = CallableChoiceIterator(self._court_choices)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = self._zone_choices
        self.fields["document"].label = self.document_label.format(name=document_name(self._instrument()))
        self.fields["document"].widget.attrs["data-label"] = self.document_label  # the page's script names it

    # --- what the page offers

    def issuers(self) -> dict[str, list[str]]:
        """Each instrument's code -> who may issue it on some day (3 queries, once)."""
        if self._issuers is None:
            self._issuers = LegalInstrument.objects.issuers()
        return self._issuers

    def courts(self) -> list[Court]:
        if self._courts is None:
            field = cast(forms.ModelChoiceField, self.fields["court"])
            offered = cast(QuerySet[Court], field.queryset)  # a model field's: never None
            self._courts = list(offered.order_by("jurisdiction__name", "name"))
        return self._courts

    def _issuer_choices(self) -> list:
        codes = {code for issuers in self.issuers().values() for code in issuers}
        value = self["issuing_jurisdiction"].value()
        current = str(getattr(value, "pk", value) or "")
        # e.g. a demand on file: shown, and refused naming its instrument. Raw input that
        # can name no jurisdiction (a NUL, which PostgreSQL refuses in a query) is left out.
        if current and _can_name_a_row(current, Jurisdiction):
            codes.add(current)
        offered = Jurisdiction.objects.filter(code__in=codes).order_by("name")
        return [("", "---------"), *((j.code, f"{j.name} ({j.code})") for j in offered)]

    def _court_choices(self) -> list:
        groups: dict[str, list] = {}
        for court in self.courts():
            label = f"{court.jurisdiction.name} ({court.jurisdiction_id})"
            groups.setdefault(label, []).append((ModelChoiceIteratorValue(court.pk, court), court.name))
        return [("", cast(forms.ModelChoiceField, self.fields["court"]).empty_label), *groups.items()]

    def _zone_choices(self) -> list:
        extra = [c.time_zone for c in self.courts()]
        extra += [str(self["time_zone"].value() or "")]
        blank = None if self.fields["time_zone"].required else "The issuing court's zone (UTC without a court)"
        return zone_choices(*extra, blank=blank)

    def _instrument(self) -> LegalInstrument | None:
        """The instrument picked (bound) or on file (initial), for the document's name."""
        code = self.data.get(self.add_prefix("instrument")) if self.is_bound else self.initial.get("instrument")
        if isinstance(code, LegalInstrument):
            return code
        if not code or not isinstance(code, str):
            return None
        # Raw input, before any field checked it: the field itself says what is wrong.
        if not _can_name_a_row(code, LegalInstrument):
            return None
        return LegalInstrument.objects.filter(code=code).first()

    # --- reading it

    def entry_zone(self) -> str:
        """The zone the typed times are read in: the one picked; none picked, the chosen
        court's; else UTC. An unknown zone is refused by its own field (read in UTC)."""
        if not self.is_bound:
            return "UTC"
        zone = self.data.get(self.add_prefix("time_zone"))
        if zone:
            return zone if known_zone(zone) else "UTC"
        court = str(self.data.get(self.add_prefix("court")) or "")
        if court.isascii() and court.isdigit() and len(court) < 19:  # a primary key, not "²" or a 40-digit number
            found = Court.objects.filter(pk=court).values_list("time_zone", flat=True).first()
            if known_zone(found):
                return cast(str, found)
        return "UTC"

    def full_clean(self):
        with timezone.override(self.entry_zone()):
            super().full_clean()

    def kept_token(self) -> str:
        if not self.is_bound or "kept_document" not in self.fields:
            return ""
        return str(self.data.get(self.add_prefix("kept_document")) or "")

    def kept(self) -> dict | None:
        """The document kept from an earlier try ({key, name}), if the form names one."""
        token = self.kept_token()
        if getattr(self, "_kept", (None,))[0] != token:
            self._kept = (token, kept_document(token, user_id=self.user_id) if token else None)
        return self._kept[1]

    def keep(self) -> None:
        """After a refused try: keep a new document that passed its checks (replacing one
        kept before), so the page need not ask for it again."""
        document = getattr(self, "cleaned_data", {}).get("document")
        if "kept_document" not in self.fields or not isinstance(document, UploadedFile):
            return
        discard_kept(self.kept_token(), user_id=self.user_id)
        document.seek(0)
        data = cast(QueryDict, self.data).copy()  # bound to request.POST
        data[self.add_prefix("kept_document")] = keep_document(document, user_id=self.user_id)
        self.data = data

    def document_widget(self) -> str:
        """The file input, described by the note of a kept document (and its errors)."""
        field = self["document"]
        described = [f"{field.auto_id}_kept"] if self.kept() else []
        described += [f"{field.auto_id}_error"] if field.errors else []
        return field.as_widget(attrs={"aria-describedby": " ".join(described)} if described else None)

    def clean_document(self):
        document = validate_pdf_document(self.cleaned_data.get("document"))
        if document:
            return document  # a new file replaces a kept one
        if self.kept_token():
            kept = self.kept()
            if kept is None:
                raise ValidationError(
                    "The document kept from your last try is no longer available (kept for a day): attach it again.",
                    code="kept_expired",
                )
            return File(default_storage.open(kept["key"], "rb"), name=kept["name"])
        return document

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if existing := existing_reference(reference):
            taken, case = existing
            if case:
                raise ValidationError(
                    format_html(
                        'A demand with reference {} is already logged: <a href="{}">case {}</a>.',
                        taken,
                        reverse("cases:detail", args=[case]),
                        case,
                    ),
                    code="taken",
                )
            raise ValidationError(f"A demand with reference {taken} is already logged.", code="taken")
        return reference

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean() returns
        for field, message in arrival_errors(data.get("served_at"), data.get("received_at")).items():
            self.add_error(field, message)
        issuer = data.get("issuing_jurisdiction")
        for field, message in instrument_errors(
            data.get("instrument"),
            issuer.pk if issuer is not None else None,
            served_at=data.get("served_at"),
            received_at=data.get("received_at"),
            extended=bool(data.get("extended")),
            pending_since=data.get("pending_since"),
            court=data.get("court"),
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        kind_error = chosen_kind_error(data.get("instrument"), data.get("request_kind"))
        if kind_error and "request_kind" not in self.errors:
            self.add_error("request_kind", kind_error)
        return data


class NondisclosureForm(forms.ModelForm):
    """Optional: blank when the demand comes without a nondisclosure order."""

    class Meta:
        model = NondisclosureOrder
        fields = ["basis", "starts_on", "expires_on"]
        labels = {"basis": "Basis", "starts_on": "Starts", "expires_on": "Expires (blank if open-ended)"}
        widgets = {"starts_on": _date_widget(), "expires_on": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_permitted = True
        self.use_required_attribute = False
        self.fields["basis"].widget.attrs["placeholder"] = "e.g. 18 U.S.C. §2705(b)"

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean() returns
        start, end = data.get("starts_on"), data.get("expires_on")
        if start and end and end < start:
            self.add_error("expires_on", "The order cannot expire before it starts.")
        return data


class AccountForm(forms.ModelForm):
    us_person = us_person_field()
    residence = residence_field()

    class Meta:
        model = TargetAccount
        fields = ["identifier", "service", "us_person", "residence"]
        labels = {"identifier": "Account identifier"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier"].widget.attrs["placeholder"] = "e-mail, user id or phone number"
        self.fields["identifier"].help_text = ""


class HoldingForm(forms.ModelForm):
    category = forms.ChoiceField(choices=[("", "— data —"), *Category.choices])  # Holding.category's choices
    data_location = forms.ModelChoiceField(
        queryset=DataLocation.objects.select_related("operated_by").order_by("name"),
        required=False,
        empty_label="Unknown / sharded",
        widget=forms.Select(attrs={"data-role": "location"}),
    )
    controlled_by = forms.ModelChoiceField(
        queryset=ControllingEntity.objects.order_by("name"),
        widget=forms.Select(attrs={"data-role": "controller"}),
        error_messages={"required": "Which entity controls this data? Pick the controller."},
    )

    class Meta:
        model = Holding
        fields = ["category", "data_location", "controlled_by"]


class RequiredFormSet(forms.BaseFormSet):
    """At least one form; duplicates within the set are errors on the later form. A form
    ticked "Remove" is left out, whatever it holds."""

    unique_fields: tuple[str, ...] = ()
    unique_message = ""
    remove_label = "Remove"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = self.remove_label

    def removed(self, form) -> bool:
        # From the raw input: asked before the forms are validated, too.
        return bool(form.is_bound and form["DELETE"].data)

    def skipped(self, form) -> bool:
        """Left out of the demand: removed, or an added form left blank."""
        return self.removed(form) or (form.empty_permitted and not form.has_changed())

    def filled(self) -> bool:
        """Whether any form that is not removed was filled in."""
        return any(form.has_changed() and not self.removed(form) for form in self.forms)

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if self.skipped(form):
                continue
            key = tuple(form.cleaned_data.get(name) for name in self.unique_fields)
            if None in key or "" in key:
                continue
            if key in seen:
                form.add_error(self.unique_fields[0], self.unique_message)
            seen.add(key)


class AccountFormSetBase(RequiredFormSet):
    unique_fields = ("identifier",)
    unique_message = "This account is already listed."
    remove_label = "Remove this account"
    default_error_messages = {"too_few_forms": "Name at least one target account."}


class HoldingFormSetBase(RequiredFormSet):
    unique_fields = ("category", "data_location")
    unique_message = "This data category at this location is already listed for the account."
    default_error_messages = {"too_few_forms": "List at least one holding for this account."}

    def clean(self):
        # Two "unknown" locations of one category are duplicates too (None is a place here).
        super().clean()
        seen = set()
        for form in self.forms:
            if self.skipped(form):
                continue
            category = form.cleaned_data.get("category")
            if category and form.cleaned_data.get("data_location") is None and "category" in form.cleaned_data:
                if category in seen:
                    form.add_error("data_location", "This data category with an unknown location is already listed.")
                seen.add(category)


# formset_factory subclasses the `formset` it is given; the stubs return the base type.
AccountFormSet = cast(
    type[AccountFormSetBase],
    formset_factory(
        AccountForm,
        formset=AccountFormSetBase,
        can_delete=True,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=MAX_ACCOUNTS,
        validate_max=True,
        absolute_max=MAX_ACCOUNTS,
    ),
)
HoldingFormSet = cast(
    type[HoldingFormSetBase],
    formset_factory(
        HoldingForm,
        formset=HoldingFormSetBase,
        can_delete=True,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=MAX_HOLDINGS,
        validate_max=True,
        absolute_max=MAX_HOLDINGS,
    ),
)


def holdings_prefix(index: int) -> str:
    return f"accounts-{index}-holdings"


class DemandIntake:
    """All the forms of the intake page, validated and saved as one. `zone` is what the
    time zone field starts at (the user's last intake zone, `accounts.profiles`)."""

    def __init__(self, data=None, files=None, *, user=None, zone: str = COURT_ZONE):
        self.demand = DemandForm(data, files, user=user, initial={"time_zone": zone})
        self.ndo = NondisclosureForm(data, prefix="ndo")
        self.accounts = AccountFormSet(data, prefix="accounts")
        self.holdings = [HoldingFormSet(data, prefix=holdings_prefix(i)) for i in range(len(self.accounts.forms))]
        if data is not None:
            for account, holdings in zip(self.accounts.forms, self.holdings, strict=True):
                # An added account left blank is dropped, unless its holdings were filled in.
                if holdings.filled():
                    account.empty_permitted = False

    def rows(self) -> list[dict]:
        return [
            {"index": i, "form": form, "holdings": holdings}
            for i, (form, holdings) in enumerate(zip(self.accounts.forms, self.holdings, strict=True))
        ]

    def _kept(self):
        for account, holdings in zip(self.accounts.forms, self.holdings, strict=True):
            if not self.accounts.skipped(account):
                yield account, holdings

    def is_valid(self) -> bool:
        valid = self.demand.is_valid()
        valid &= self.ndo.is_valid()
        valid &= self.accounts.is_valid()
        for _, holdings in self._kept():
            valid &= holdings.is_valid()
        if self.ndo.has_changed() and self.ndo.is_valid():
            for name in ("basis", "starts_on"):
                if not self.ndo.cleaned_data.get(name):
                    self.ndo.add_error(name, "Required when the demand has a nondisclosure order.")
                    valid = False
        return bool(valid)

    @property
    def error_count(self) -> int:
        forms_ = [self.demand, self.ndo, *(f for f in self.accounts.forms if not self.accounts.removed(f))]
        for _, holdings in self._kept():
            forms_.extend(f for f in holdings.forms if not holdings.removed(f))
        count = sum(len(f.errors) for f in forms_ if f.is_bound)
        count += len(self.accounts.non_form_errors()) + sum(len(h.non_form_errors()) for h in self.holdings)
        return count

    def save(self, *, by):
        """Logs the demand (cases.actions.log_demand): all or nothing, analysis after commit.
        A rule of intake it breaks comes back as the form's errors (ValidationError)."""
        accounts = [
            AccountToLog(
                account=account_form.save(commit=False),
                holdings=[h.save(commit=False) for h in holdings.forms if not holdings.skipped(h)],
            )
            for account_form, holdings in self._kept()
        ]
        orders = [self.ndo.save(commit=False)] if self.ndo.has_changed() else []
        demand = self.demand.save(commit=False)
        try:
            case = log_demand(demand=demand, accounts=accounts, orders=orders, by=by, via="at intake")
        finally:
            document = self.demand.cleaned_data.get("document")
            if isinstance(document, File) and not isinstance(document, UploadedFile):
                document.close()  # the kept file, opened from the storage
        # Logged: the document kept from an earlier try is on file now (or was replaced).
        discard_kept(self.demand.kept_token(), user_id=self.demand.user_id)
        return case

    def keep_document(self) -> None:
        """After a refused try: keep the document that passed its checks (DemandForm.keep)."""
        self.demand.keep()

    def add_refusal(self, refusal: ValidationError) -> None:
        """Show a rule the action refused (e.g. a reference logged meanwhile) on the form."""
        for field, messages in refusal.message_dict.items():
            target = field if field in self.demand.fields else None
            for message in messages:
                self.demand.add_error(target, message if target else f"{field}: {message}")


# --- Correcting a logged demand (cases/views/amend.py calls cases.actions.amend_demand) --

AMENDABLE_ON_PAGE = [name for name in DEMAND_FACTS if name != "reference"]
TIMES = ("served_at", "received_at", "due_at")


class AmendDemandForm(DemandForm):
    """The demand's facts as logged, to correct: all but the reference, which names it."""

    time_zone = ZoneField(
        choices=TIME_ZONES,
        initial="UTC",
        label="Times below are in",
        help_text="They are shown in UTC; pick another zone only to type them again in it.",
        widget=forms.Select(attrs={"data-role": "zone"}),
    )
    document = forms.FileField(
        required=False,
        label="Replace the document (PDF, at most 10 MB)",
        help_text="Leave it empty to keep the document on file.",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf", "data-role": "document"}),
    )
    kept_document = None  # a correction is not kept across tries

    document_label = "Replace the document: {name} (PDF, at most 10 MB)"

    class Meta(DemandForm.Meta):
        fields = [*AMENDABLE_ON_PAGE, "document"]


class AmendAccountForm(AccountForm):
    # The row the form was drawn from: the action keeps it (a corrected identifier is
    # the same account), and ignores an id that is not one of the demand's.
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AmendHoldingForm(HoldingForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AmendReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the correction",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What was wrong and where the right fact comes from; it goes on the timeline.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


AmendAccountFormSet = cast(
    type[AccountFormSetBase],
    formset_factory(
        AmendAccountForm,
        formset=AccountFormSetBase,
        can_delete=True,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=MAX_ACCOUNTS,
        validate_max=True,
        absolute_max=MAX_ACCOUNTS,
    ),
)
AmendHoldingFormSet = cast(
    type[HoldingFormSetBase],
    formset_factory(
        AmendHoldingForm,
        formset=HoldingFormSetBase,
        can_delete=True,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=MAX_HOLDINGS,
        validate_max=True,
        absolute_max=MAX_HOLDINGS,
    ),
)


def _demand_initial(demand: Demand) -> dict:
    initial = {name: getattr(demand, name) for name in AMENDABLE_ON_PAGE}
    initial.update(
        instrument=demand.instrument.code,
        issuing_jurisdiction=demand.issuing_jurisdiction_id,
        court=demand.court_id,
        served_entity=demand.served_entity_id,
        time_zone="UTC",
    )
    return initial


def _account_initial(account: TargetAccount) -> dict:
    person = "" if account.us_person is None else ("yes" if account.us_person else "no")
    return {
        "id": account.pk,
        "identifier": account.identifier,
        "service": account.service,
        "us_person": person,
        "residence": account.residence_id,
    }


def _holding_initial(holding: Holding) -> dict:
    return {
        "id": holding.pk,
        "category": holding.category,
        "data_location": holding.data_location_id,
        "controlled_by": holding.controlled_by_id,
    }


_ACCOUNT_ERROR = re.compile(r"accounts\[(\d+)\](?:\.holdings(?:\[(\d+)\])?)?(?:\.(\w+))?")


class DemandAmendment(DemandIntake):
    """The intake page's forms prefilled with a logged demand's facts (its accounts
    with their holdings, its first nondisclosure order), and the reason. They collect
    the corrected facts for `cases.actions.amend_demand`, which compares them with the
    facts on file and refuses under the rules of intake."""

    def __init__(
        self,
        demand: Demand,
        accounts: list[tuple[TargetAccount, list[Holding]]],
        orders: list[NondisclosureOrder],
        *,
        version: int,
        data=None,
        files=None,
    ):
        self.current = demand
        self.current_orders = orders
        self.demand = AmendDemandForm(data, files, initial=_demand_initial(demand))
        first = orders[0] if orders else None
        initial = (
            {"basis": first.basis, "starts_on": first.starts_on, "expires_on": first.expires_on} if first else None
        )
        self.ndo = NondisclosureForm(data, prefix="ndo", initial=initial)
        self.accounts = AmendAccountFormSet(data, prefix="accounts", initial=[_account_initial(a) for a, _ in accounts])
        self.holdings = [
            AmendHoldingFormSet(
                data,
                prefix=holdings_prefix(i),
                initial=[_holding_initial(h) for h in accounts[i][1]] if i < len(accounts) else None,
            )
            for i in range(len(self.accounts.forms))
        ]
        self.reason = AmendReasonForm(data, initial={"expected_version": version})
        self._places: list[tuple[int, list[int]]] = []  # kept account -> (form index, its kept holdings' indexes)
        if data is not None:
            for account, holdings in zip(self.accounts.forms, self.holdings, strict=True):
                if holdings.filled():
                    account.empty_permitted = False

    def is_valid(self) -> bool:
        valid = self.demand.is_valid()
        valid &= self.ndo.is_valid()
        valid &= self.accounts.is_valid()
        valid &= self.reason.is_valid()
        for _, holdings in self._kept():
            valid &= holdings.is_valid()
        if self.ndo.has_changed() and self.ndo.is_valid() and self._ndo_filled():
            for name in ("basis", "starts_on"):
                if not self.ndo.cleaned_data.get(name):
                    self.ndo.add_error(
                        name, "Required while the demand has a nondisclosure order (clear all three to remove it)."
                    )
                    valid = False
        return bool(valid)

    @property
    def error_count(self) -> int:
        return super().error_count + (len(self.reason.errors) if self.reason.is_bound else 0)

    def _ndo_filled(self) -> bool:
        return any(self.ndo.cleaned_data.get(name) for name in ("basis", "starts_on", "expires_on"))

    def keep_typed_at(self, version: int) -> None:
        """Keep what was typed, at the case's fresh version: after a look at what changed
        meanwhile, the correction can be sent again."""
        self.reason = AmendReasonForm({"reason": self.reason.data.get("reason", ""), "expected_version": str(version)})
        self.reason.is_valid()

    def changes(self) -> dict:
        """The corrected facts, as `amend_demand` takes them: `facts`, `accounts` (the
        whole new list, each row with the id it was drawn from) and `orders` (None:
        the nondisclosure order was not touched)."""
        data = self.demand.cleaned_data
        facts = {name: data[name] for name in AMENDABLE_ON_PAGE if name in data}
        for name in TIMES:
            # The page shows times to the minute: the minute shown stands for the time on file.
            old, new = getattr(self.current, name), facts.get(name)
            if old is not None and new is not None and new == old.replace(second=0, microsecond=0):
                facts[name] = old
        if data.get("document"):
            facts["document"] = data["document"]
        accounts = []
        self._places = []
        for index, (account_form, holdings) in enumerate(zip(self.accounts.forms, self.holdings, strict=True)):
            if self.accounts.skipped(account_form):
                continue
            account = account_form.save(commit=False)
            account.pk = account_form.cleaned_data.get("id")
            kept = [(number, form) for number, form in enumerate(holdings.forms) if not holdings.skipped(form)]
            rows = []
            for _, form in kept:
                holding = form.save(commit=False)
                holding.pk = form.cleaned_data.get("id")
                rows.append(holding)
            accounts.append(AccountToLog(account=account, holdings=rows))
            self._places.append((index, [number for number, _ in kept]))
        return {"facts": facts, "accounts": accounts, "orders": self._orders()}

    def _orders(self) -> list[NondisclosureOrder] | None:
        if not self.ndo.has_changed():
            return None
        rest = self.current_orders[1:]
        if not self._ndo_filled():
            return rest  # cleared: the order is removed
        first = self.current_orders[0] if self.current_orders else None
        data = self.ndo.cleaned_data
        order = NondisclosureOrder(
            pk=first.pk if first else None,
            basis=data["basis"],
            starts_on=data["starts_on"],
            expires_on=data.get("expires_on"),
            note=first.note if first else "",
        )
        return [order, *rest]

    def add_refusal(self, refusal: ValidationError) -> None:
        """What the action refused, at the field it names (`accounts[1].holdings[0].data_location`
        at that holding's location), or above the form."""
        messages = refusal.message_dict if hasattr(refusal, "error_dict") else {"non_field_errors": refusal.messages}
        for field, texts in messages.items():
            for text in texts:
                self._place_error(field, text)

    def _place_error(self, field: str, text: str) -> None:
        if field in self.reason.fields:
            self.reason.add_error(field, text)
            return
        if field in self.demand.fields:
            self.demand.add_error(field, text)
            return
        if field.startswith("nondisclosure_orders"):
            name = field.rpartition(".")[2] if "." in field else None
            self.ndo.add_error(name if name in self.ndo.fields else None, text)
            return
        match = _ACCOUNT_ERROR.fullmatch(field)
        if match and int(match[1]) < len(self._places):
            index, kept = self._places[int(match[1])]
            holding, name = match[2], match[3]
            if holding is None and "holdings" in field:
                self.holdings[index].non_form_errors().append(text)
            elif holding is None:
                form = self.accounts.forms[index]
                form.add_error(name if name in form.fields else None, text)
            elif int(holding) < len(kept):
                form = self.holdings[index].forms[kept[int(holding)]]
                form.add_error(name if name in form.fields else None, text)
            else:
                self.holdings[index].non_form_errors().append(text)
            return
        if field == "accounts":
            self.accounts.non_form_errors().append(text)
            return
        self.demand.add_error(None, text if field in ("non_field_errors", "__all__", "case") else f"{field}: {text}")
