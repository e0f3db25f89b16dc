"""The what-if page's forms: facts in, the engine's answer out, nothing saved.

`WhatIfPage` binds them all: the demand (`WhatIfForm`, which also holds the entities
of the provider's map ticked for the facts and the two raw-JSON options), a formset of
accounts and, for each account, a formset of its holdings. The facts come from one of
three places, in this order: a whole scenario in JSON (RULES.md §9), the accounts in
JSON, or the rows. Every cap of `jurisdictions.reach.limits` is held before the engine
runs; a rejected page runs nothing.
"""

import json
from collections.abc import Sequence
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.forms import formset_factory
from django.forms.utils import ErrorDict, ErrorList
from django.utils import timezone

from jurisdictions.models import (
    Category,
    ControllingEntity,
    Court,
    DataLocation,
    Jurisdiction,
    LegalInstrument,
)
from jurisdictions.reach import limits

ACCOUNTS_PREFIX = "accounts"
# A scenario's fields for a holding, as the page's holding row names them.
ROW_FIELD = {"storage": "location"}


def holdings_prefix(index: int | str) -> str:
    return f"{ACCOUNTS_PREFIX}-{index}-holdings"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


US_PERSON_CHOICES = [("", "Unknown"), ("yes", "Yes"), ("no", "No")]


def us_person_field() -> forms.TypedChoiceField:
    """An account's US-person status: yes, no or unknown (None). The intake and what-if
    forms ask it the same way."""
    return forms.TypedChoiceField(
        choices=US_PERSON_CHOICES,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
        label="US person",
    )


def residence_field() -> forms.ModelChoiceField:
    """An account's country of residence, unknown allowed."""
    return forms.ModelChoiceField(queryset=Jurisdiction.objects.order_by("name"), required=False, empty_label="Unknown")


class WhatIfForm(forms.Form):
    """The demand's facts field by field, the entities of the provider's map in the
    facts, and the advanced options: the accounts, or a whole scenario, as JSON.

    The scenario is the JSON object of shared/RULES.md §9; when given, it replaces every
    other field (and brings its own entities instead of the provider's map).
    """

    instrument = forms.ModelChoiceField(
        queryset=LegalInstrument.objects.order_by("code"), to_field_name="code", required=False
    )
    issuing_jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.order_by("name"), required=False, label="Issuing jurisdiction"
    )
    court = forms.ModelChoiceField(
        queryset=Court.objects.order_by("name"), to_field_name="name", required=False, empty_label="None / unknown"
    )
    served_entity = forms.ModelChoiceField(
        queryset=ControllingEntity.objects.order_by("name"), to_field_name="name", required=False
    )
    served_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        required=False,
        label="Issued / served (UTC)",
        help_text="Deadlines count from it; leave it empty when not served yet.",
    )
    as_of = forms.DateField(
        widget=_date_widget(),
        required=False,
        label="As of",
        help_text="The catalogue as it stood that day: doctrine, memberships, agreements.",
    )
    emergency = forms.BooleanField(required=False, help_text="An emergency European Production Order (8 hours).")
    extended = forms.BooleanField(
        required=False, label="Preservation extended", help_text="A preservation request renewed or extended once."
    )
    pending_since = forms.DateField(
        widget=_date_widget(),
        required=False,
        label="Proceeding pending since",
        help_text="Indian process only: the day the investigation, inquiry or trial began.",
    )
    entities = forms.ModelMultipleChoiceField(
        queryset=ControllingEntity.objects.select_related("parent").order_by("name"),
        to_field_name="name",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Entities of the provider's map in the facts",
        help_text="Untick an entity to ask what the answer would be without it. A ticked entity's parent "
        "must be ticked too; designations for an unticked entity are left out.",
    )
    accounts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "class": "code", "spellcheck": "false"}),
        required=False,
        label="Accounts as JSON",
        help_text='When given, replaces the account rows: [{"identifier": ..., "us_person": true|false|null, '
        '"residence": "IE"|null, "holdings": [{"category": ..., "storage": "IE"|null, "controlled_by": ...}]}]. '
        "Entities are the ticked ones.",
    )
    scenario = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "class": "code", "spellcheck": "false"}),
        required=False,
        label="A whole scenario as JSON (id, as_of, demand, entities, accounts)",
        help_text="When given, every other field is ignored.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        entities = cast(forms.ModelMultipleChoiceField, self.fields["entities"])
        entities.label_from_instance = _entity_label  # type: ignore[assignment]  # an instance's own, as Django allows
        if not self.is_bound:
            self.initial.setdefault("as_of", timezone.localdate())
            shown = cast(QuerySet[ControllingEntity], entities.queryset)  # the field's, declared above
            self.initial.setdefault("entities", [e.name for e in shown])

    def clean_accounts(self):
        return self._json("accounts", list)

    def clean_scenario(self):
        return self._json("scenario", dict)

    def _json(self, name: str, kind: type):
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from None
        if not isinstance(value, kind):
            raise forms.ValidationError(f"Must be a JSON {'list' if kind is list else 'object'}.")
        return value

    @property
    def whole_scenario(self) -> bool:
        return bool(self.data.get(self.add_prefix("scenario"), "").strip())

    @property
    def accounts_as_json(self) -> bool:
        return not self.whole_scenario and bool(self.data.get(self.add_prefix("accounts"), "").strip())

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        if self.whole_scenario:
            return data
        for name in ("instrument", "issuing_jurisdiction", "served_entity", "as_of"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Required (or give a whole scenario under Advanced).")
        chosen = data.get("entities")
        if chosen is not None and "entities" not in self.errors:
            if not chosen:
                self.add_error("entities", "Tick the entities of the provider's map the facts name.")
            elif len(chosen) > limits.MAX_ENTITIES:
                self.add_error("entities", f"At most {limits.MAX_ENTITIES} entities, not {len(chosen)}.")
            else:
                names = {e.name for e in chosen}
                for entity in chosen:
                    if entity.parent is not None and entity.parent.name not in names:
                        self.add_error("entities", f"{entity.name}'s parent {entity.parent.name} must be ticked too.")
                served = data.get("served_entity")
                if served is not None and served.name not in names:
                    self.add_error("served_entity", f"{served.name} is not among the entities ticked.")
        return data

    def demand_object(self) -> dict:
        data = self.cleaned_data
        served_at = data.get("served_at")
        pending_since = data.get("pending_since")
        return {
            "instrument": data["instrument"].code,
            "issuing_jurisdiction": data["issuing_jurisdiction"].code,
            "issuing_court": data["court"].name if data.get("court") else None,
            "served_entity": data["served_entity"].name,
            "served_at": served_at.isoformat() if served_at else None,
            "emergency": data.get("emergency", False),
            "extended": data.get("extended", False),
            "pending_since": pending_since.isoformat() if pending_since else None,
            "due_at": None,
        }

    def field_for_error(self, path: str) -> str | None:
        """The form field a ScenarioError's path belongs to (None: the rows or the page)."""
        if self.whole_scenario:
            return "scenario"
        head = path.split("[")[0].split(".")
        if head[0] == "demand" and len(head) > 1:
            name = {"issuing_court": "court"}.get(head[1], head[1])
            return name if name in self.fields else None
        if head[0] == "entities":
            return "entities"
        if head[0] == "as_of":
            return "as_of"
        if head[0] == "accounts" and self.accounts_as_json:
            return "accounts"
        return None


def _entity_label(entity: ControllingEntity) -> str:
    parent = f", part of {cast(ControllingEntity, entity.parent).name}" if entity.parent_id else ""
    return f"{entity.name} ({entity.country_id}{parent})"


class AccountRowForm(forms.Form):
    identifier = forms.CharField(
        max_length=320,
        label="Account identifier",
        widget=forms.TextInput(attrs={"placeholder": "e-mail, user id or phone number"}),
        error_messages={"required": "Name the account (e-mail, user id or phone number)."},
    )
    us_person = us_person_field()
    residence = residence_field()

    def as_object(self, holdings: list[dict]) -> dict:
        data = self.cleaned_data
        residence = data.get("residence")
        return {
            "identifier": data["identifier"],
            "us_person": data.get("us_person"),
            "residence": residence.code if residence else None,
            "holdings": holdings,
        }


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DataLocation) -> str:
        return f"{obj.name} ({obj.country_id})"


class HoldingRowForm(forms.Form):
    category = forms.ChoiceField(
        choices=[("", "— data —"), *Category.choices],
        label="Data category",
        error_messages={"required": "Pick the data category."},
    )
    location = LocationChoiceField(
        queryset=DataLocation.objects.order_by("name"),
        required=False,
        empty_label="Unknown / sharded",
        label="Data location",
        widget=forms.Select(attrs={"data-role": "location"}),
    )
    controlled_by = forms.ModelChoiceField(
        queryset=ControllingEntity.objects.order_by("name"),
        to_field_name="name",
        label="Controlled by",
        widget=forms.Select(attrs={"data-role": "controller"}),
        error_messages={"required": "Which entity controls this data? Pick the controller."},
    )

    def as_object(self) -> dict:
        data = self.cleaned_data
        location = data.get("location")
        return {
            "category": data["category"],
            "storage": location.country_id if location else None,
            "controlled_by": data["controlled_by"].name,
        }


class RowFormSet(forms.BaseFormSet):
    """At least one row; a row ticked "Remove", or an added row left blank, is left out."""

    remove_label = "Remove"

    # Set by full_clean() (None until then); quiet() resets them. Not in django-stubs.
    _errors: list[ErrorDict] | None
    _non_form_errors: ErrorList | None

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = self.remove_label

    def skipped(self, form) -> bool:
        removed = bool(form.is_bound and form["DELETE"].data)
        return removed or (form.empty_permitted and not form.has_changed())

    def kept(self) -> list[tuple[int, forms.Form]]:
        return [(i, form) for i, form in enumerate(self.forms) if not self.skipped(form)]


class AccountFormSetBase(RowFormSet):
    remove_label = "Remove this account"
    default_error_messages = {
        "too_few_forms": "Name at least one target account.",
        "too_many_forms": f"At most {limits.MAX_ACCOUNTS} accounts.",
    }


class HoldingFormSetBase(RowFormSet):
    default_error_messages = {
        "too_few_forms": "List at least one holding for this account.",
        "too_many_forms": f"At most {limits.MAX_HOLDINGS_PER_ACCOUNT} holdings for one account.",
    }


AccountFormSet = cast(
    type[AccountFormSetBase],
    formset_factory(
        AccountRowForm,
        formset=AccountFormSetBase,
        can_delete=True,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=limits.MAX_ACCOUNTS,
        validate_max=True,
        absolute_max=limits.MAX_ACCOUNTS,
    ),
)
HoldingFormSet = cast(
    type[HoldingFormSetBase],
    formset_factory(
        HoldingRowForm,
        formset=HoldingFormSetBase,
        can_delete=True,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=limits.MAX_HOLDINGS_PER_ACCOUNT,
        validate_max=True,
        absolute_max=limits.MAX_HOLDINGS_PER_ACCOUNT,
    ),
)


class RowError(Exception):
    """An "add a row" the caps refuse."""


def add_account(data) -> None:
    """One more (blank) account, with one blank holding, in a mutable copy of the POST."""
    count = _count(data, ACCOUNTS_PREFIX)
    if count >= limits.MAX_ACCOUNTS:
        raise RowError(f"At most {limits.MAX_ACCOUNTS} accounts.")
    data[f"{ACCOUNTS_PREFIX}-TOTAL_FORMS"] = str(count + 1)
    data.setdefault(f"{ACCOUNTS_PREFIX}-INITIAL_FORMS", "0")
    data[f"{holdings_prefix(count)}-TOTAL_FORMS"] = "1"
    data[f"{holdings_prefix(count)}-INITIAL_FORMS"] = "0"


def add_holding(data, account: str) -> None:
    """One more (blank) holding for the account at index `account`."""
    if not account.isdigit() or int(account) >= _count(data, ACCOUNTS_PREFIX):
        raise RowError("There is no such account to add a holding to.")
    prefix = holdings_prefix(int(account))
    count = _count(data, prefix)
    if count >= limits.MAX_HOLDINGS_PER_ACCOUNT:
        raise RowError(f"At most {limits.MAX_HOLDINGS_PER_ACCOUNT} holdings for one account.")
    data[f"{prefix}-TOTAL_FORMS"] = str(count + 1)
    data.setdefault(f"{prefix}-INITIAL_FORMS", "0")


def _count(data, prefix: str) -> int:
    value = data.get(f"{prefix}-TOTAL_FORMS", "")
    return min(int(value), 10_000) if value.isdigit() else 0


class WhatIfPage:
    """Every form of the what-if page, validated as one."""

    def __init__(self, data=None):
        self.demand = WhatIfForm(data)
        self.accounts = AccountFormSet(data, prefix=ACCOUNTS_PREFIX)
        self.holdings = [HoldingFormSet(data, prefix=holdings_prefix(i)) for i in range(len(self.accounts.forms))]
        if data is not None:
            for account, holdings in zip(self.accounts.forms, self.holdings, strict=True):
                # An added account left blank is dropped, unless its holdings were filled in.
                if any(h.has_changed() and not holdings.skipped(h) for h in holdings.forms):
                    account.empty_permitted = False
        self.notice = ""
        self._scenario_rows: list[tuple[int, list[int]]] = []  # scenario's account -> (row, its holding rows)

    @property
    def uses_rows(self) -> bool:
        return not (self.demand.whole_scenario or self.demand.accounts_as_json)

    def rows(self) -> list[dict]:
        return [
            {"index": i, "form": form, "holdings": holdings}
            for i, (form, holdings) in enumerate(zip(self.accounts.forms, self.holdings, strict=True))
        ]

    def empty_account(self) -> dict:
        """The blank account the page's script copies ("__prefix__": its index)."""
        blank = AccountFormSet(prefix=ACCOUNTS_PREFIX)
        return {
            "index": "__prefix__",
            "form": blank.empty_form,
            "holdings": HoldingFormSet(prefix=holdings_prefix("__prefix__")),
        }

    def empty_holding(self) -> forms.Form:
        """The blank holding the page's script copies ("__account__", "__prefix__")."""
        return HoldingFormSet(prefix=holdings_prefix("__account__")).empty_form

    def _kept(self):
        for i, account in self.accounts.kept():
            yield i, account, self.holdings[i]

    def is_valid(self) -> bool:
        valid = self.demand.is_valid()
        if not self.uses_rows:
            return valid
        valid &= self.accounts.is_valid()
        total = 0
        for _, _, holdings in self._kept():
            valid &= holdings.is_valid()
            total += len(holdings.kept())
        if total > limits.MAX_HOLDINGS_PER_DEMAND:
            cast(ErrorList, self.accounts._non_form_errors).append(  # set by is_valid()
                f"At most {limits.MAX_HOLDINGS_PER_DEMAND} holdings in all accounts together, not {total}."
            )
            valid = False
        if valid and self.demand.cleaned_data.get("entities"):
            names = {e.name for e in self.demand.cleaned_data["entities"]}
            for _, _, holdings in self._kept():
                for _, holding in holdings.kept():
                    controller = holding.cleaned_data["controlled_by"]
                    if controller.name not in names:
                        holding.add_error("controlled_by", f"{controller.name} is not among the entities ticked.")
                        valid = False
        return bool(valid)

    def scenario_object(self, entities: list[dict]) -> dict:
        """The scenario the page describes: the given one, or built from the fields."""
        data = self.demand.cleaned_data
        if data.get("scenario") is not None:
            return data["scenario"]
        if self.demand.accounts_as_json:
            accounts = data["accounts"]
        else:
            accounts = []
            self._scenario_rows = []
            for i, account, holdings in self._kept():
                kept = holdings.kept()
                accounts.append(account.as_object([h.as_object() for _, h in kept]))
                self._scenario_rows.append((i, [j for j, _ in kept]))
        return {
            "id": "what-if",
            "as_of": data["as_of"].isoformat(),
            "demand": self.demand.demand_object(),
            "entities": entities,
            "accounts": accounts,
        }

    def add_engine_error(self, path: str, message: str) -> None:
        """The engine's refusal of a field, on the field it names: a row's own field
        when the rows made the facts, else the demand's field (or the page's)."""
        text = f"{path}: {message}" if path else message
        field = self.demand.field_for_error(path)
        if field is not None or not self.uses_rows or not path.startswith("accounts"):
            self.demand.add_error(field, text)
            return
        target = _row_target(path, self._scenario_rows, self.accounts, self.holdings)
        if target is None:
            cast(ErrorList, self.accounts._non_form_errors).append(text)  # set by is_valid()
            return
        form, name = target
        form.add_error(name if name in form.fields else None, message)

    def errors_in_words(self) -> list[str]:
        """Every error on the page, each naming its row and field: "Account 2, holding 1,
        Controlled by: Pick the controller." For the summary above the form."""
        lines = [_in_words("", self.demand, error) for error in self.demand.errors.items()]
        if not self.uses_rows or not self.demand.is_bound:
            return lines
        lines += [f"Accounts: {e}" for e in self.accounts.non_form_errors()]
        for i, account, holdings in self._kept():
            where = f"Account {i + 1}"
            lines += [_in_words(where, account, error) for error in account.errors.items()]
            lines += [f"{where}, holdings: {e}" for e in holdings.non_form_errors()]
            for j, holding in holdings.kept():
                lines += [_in_words(f"{where}, holding {j + 1}", holding, error) for error in holding.errors.items()]
        return lines

    def quiet(self) -> None:
        """A row added is not a run: show the page as typed, checking nothing."""
        for form in [self.demand, *self.accounts.forms, *(h for hs in self.holdings for h in hs.forms)]:
            form._errors = ErrorDict()
            form.cleaned_data = {}
        for formset in [self.accounts, *self.holdings]:
            formset._errors = []
            formset._non_form_errors = ErrorList()


def _row_target(path, rows, accounts, holdings):
    """The (form, field) a scenario path of the rows names: accounts[i].holdings[j].x."""
    head, _, rest = path.partition("].")
    if not head.startswith("accounts[") or not head[9:].isdigit():
        return None
    a = int(head[9:])
    if a >= len(rows):
        return None
    row, holding_rows = rows[a]
    if rest.startswith("holdings["):
        index, _, name = rest[9:].partition("].")
        if not index.isdigit() or int(index) >= len(holding_rows):
            return None
        return holdings[row].forms[holding_rows[int(index)]], ROW_FIELD.get(name, name)
    return accounts.forms[row], rest


def _in_words(where: str, form: forms.Form, error: tuple[str, Sequence]) -> str:
    name, messages = error
    label = "" if name == "__all__" else str(form.fields[name].label or name.replace("_", " ").capitalize())
    place = ", ".join(part for part in (where, label) if part)
    return f"{place}: {' '.join(str(m) for m in messages)}" if place else " ".join(str(m) for m in messages)
