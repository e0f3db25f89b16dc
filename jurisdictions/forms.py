"""The what-if form: facts in, the engine's answer out, nothing saved."""

import json

from django import forms
from django.utils import timezone

from jurisdictions.models import ControllingEntity, Court, Jurisdiction, LegalInstrument

EXAMPLE_ACCOUNTS = [
    {
        "identifier": "user@example.com",
        "us_person": None,
        "residence": "IE",
        "holdings": [{"category": "content", "storage": "IE", "controlled_by": "Microsoft Corporation"}],
    }
]


class WhatIfForm(forms.Form):
    """Either the demand's facts field by field with the accounts as JSON, or a whole scenario.

    The scenario is the JSON object of shared/RULES.md §9; when given, it replaces the
    other fields (and brings its own entities instead of the provider's map).
    """

    instrument = forms.ModelChoiceField(
        queryset=LegalInstrument.objects.order_by("code"), to_field_name="code", required=False
    )
    issuing_jurisdiction = forms.ModelChoiceField(
        queryset=Jurisdiction.objects.order_by("name"), required=False, label="Issuer"
    )
    court = forms.ModelChoiceField(
        queryset=Court.objects.order_by("name"), to_field_name="name", required=False, empty_label="None / unknown"
    )
    served_entity = forms.ModelChoiceField(
        queryset=ControllingEntity.objects.order_by("name"), to_field_name="name", required=False
    )
    as_of = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False, label="As of"
    )
    served_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        required=False,
        label="Served (UTC)",
    )
    emergency = forms.BooleanField(required=False, help_text="An emergency European Production Order (8 hours).")
    extended = forms.BooleanField(
        required=False, label="Preservation extended", help_text="A preservation request renewed or extended once."
    )
    pending_since = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
        label="Proceeding pending since",
        help_text="Indian process only: the day the investigation, inquiry or trial began.",
    )
    accounts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "class": "code", "spellcheck": "false"}),
        required=False,
        help_text='A JSON list: [{"identifier": ..., "us_person": true|false|null, "residence": "IE"|null, '
        '"holdings": [{"category": ..., "storage": "IE"|null, "controlled_by": ...}]}]. '
        "Entities are the provider's map.",
    )
    scenario = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "class": "code", "spellcheck": "false"}),
        required=False,
        label="Or a whole scenario (JSON: id, as_of, demand, entities, accounts)",
        help_text="When given, the fields above are ignored.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("as_of", timezone.localdate())
            self.initial.setdefault("accounts", json.dumps(EXAMPLE_ACCOUNTS, indent=2))

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

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what Form.clean() returns
        if data.get("scenario") is not None or "scenario" in self.errors:
            return data
        for name in ("instrument", "issuing_jurisdiction", "served_entity", "as_of", "accounts"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Required (or give a whole scenario below).")
        return data

    def scenario_object(self, entities: list[dict]) -> dict:
        """The scenario these fields describe (the given one, or built from the fields)."""
        data = self.cleaned_data
        if data.get("scenario") is not None:
            return data["scenario"]
        served_at = data.get("served_at")
        pending_since = data.get("pending_since")
        return {
            "id": "what-if",
            "as_of": data["as_of"].isoformat(),
            "demand": {
                "instrument": data["instrument"].code,
                "issuing_jurisdiction": data["issuing_jurisdiction"].code,
                "issuing_court": data["court"].name if data.get("court") else None,
                "served_entity": data["served_entity"].name,
                "served_at": served_at.isoformat() if served_at else None,
                "emergency": data.get("emergency", False),
                "extended": data.get("extended", False),
                "pending_since": pending_since.isoformat() if pending_since else None,
                "due_at": None,
            },
            "entities": entities,
            "accounts": data["accounts"],
        }

    def field_for_error(self, path: str) -> str | None:
        """The form field a ScenarioError's path belongs to."""
        if self.cleaned_data.get("scenario") is not None:
            return "scenario"
        head = path.split("[")[0].split(".")
        if head[0] == "demand" and len(head) > 1:
            name = {"issuing_court": "court"}.get(head[1], head[1])
            return name if name in self.fields else None
        if head[0] in ("accounts", "as_of"):
            return head[0]
        return None
