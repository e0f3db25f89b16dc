"""Counsel's forms on the case file. They only collect input: the changes themselves
are made by the action functions of `cases/actions.py`, which check the transition
tables and the case's version and raise ValidationError keyed by field."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import counsel_members
from cases import workflow
from cases.actions import MANUAL_DEADLINE_KINDS
from cases.models import (
    Analysis,
    AppealDisposition,
    AppealStatus,
    ContemptKind,
    ContemptStatus,
    HoldingOverride,
    Outcome,
    Status,
)
from jurisdictions.models import Court
from requests_app.documents import validate_pdf_document
from requests_app.forms import TIME_ZONES, ZONE_NAMES


class SignOffForm(forms.Form):
    """Counsel signs off the analysis they reviewed; a newer one must be reviewed first."""

    analysis = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Sign-off note",
        help_text="What you checked and why the answer stands.",
    )


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.Form):
    """A step on the case as the user saw it: the hidden `version` is the case's
    version when the page was drawn, and the action refuses it once the case moved on."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def add_action_error(self, error: ValidationError) -> None:
        """An action's ValidationError, next to the field it names when the form has it."""
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error.messages)


class AssignForm(VersionedForm):
    """Counsel assigns the case to a member of counsel, or unassigns it (blank)."""

    counsel = forms.ModelChoiceField(
        queryset=counsel_members(), required=False, empty_label="Unassigned", label="Assign to"
    )


class CaseStepForm(VersionedForm):
    """What every step records: when, where (court, citation) and a note, on a given version.

    `courts` is the catalogue's court list, read once per page and shared by every
    form on it, so a page with a dozen step forms still reads the courts once.
    """

    occurred_on = forms.DateField(widget=_date_widget(), label="On")
    court = forms.ChoiceField(required=False, label="Court (catalogue)")
    court_name = forms.CharField(required=False, max_length=200, label="or another court")
    citation = forms.CharField(required=False, max_length=300)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(
        required=False,
        label="Document (PDF)",
        help_text="The order, motion or ruling; up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, courts: list[Court], **kwargs):
        super().__init__(*args, **kwargs)
        self._courts = {str(c.pk): c for c in courts}
        cast(forms.ChoiceField, self.fields["court"]).choices = [("", "—"), *((str(c.pk), c.name) for c in courts)]
        self.initial.setdefault("occurred_on", timezone.localdate())

    def clean_court(self) -> Court | None:
        value = self.cleaned_data.get("court")
        return self._courts.get(value) if value else None

    def clean_document(self):
        return validate_pdf_document(self.cleaned_data.get("document"))

    def where(self) -> dict:
        data = self.cleaned_data
        return {
            "court": data.get("court"),
            "court_name": data.get("court_name", ""),
            "citation": data.get("citation", ""),
            "note": data.get("note", ""),
            "document": data.get("document"),
        }


class TrackChangeForm(CaseStepForm):
    """One transition of one track; the fields a target needs are added for that target."""

    def __init__(self, *args, track: workflow.Track, to: str, current: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.track, self.to = track, to
        if track is workflow.STATUS and to == Status.CLOSED:
            self.fields["outcome"] = forms.ChoiceField(choices=[("", "—"), *Outcome.choices])
        if track is workflow.APPEAL and to == AppealStatus.DECIDED:
            # Only a denied rehearing petition decides without a disposition of its own.
            rehearing = current == AppealStatus.REHEARING_PETITION
            self.fields["disposition"] = forms.ChoiceField(
                choices=[("", "— (rehearing denied: the decision stands)" if rehearing else "—"),
                         *AppealDisposition.choices],
                required=not rehearing,
                error_messages={"required": "How was it decided? Pick the disposition."},
            )  # fmt: skip
        if track is workflow.CONTEMPT and to == ContemptStatus.HELD:
            self.fields["kind"] = forms.ChoiceField(choices=ContemptKind.choices)
            self.fields["by_stipulation"] = forms.BooleanField(required=False, label="By stipulation")
            self.fields["sanctions_amount"] = forms.DecimalField(
                required=False, min_value=0, max_digits=14, decimal_places=2
            )
            self.fields["sanctions_currency"] = forms.CharField(
                required=False,
                max_length=3,
                label="Currency of the sanctions",
                help_text="ISO 4217 code (USD, GBP, EUR, BRL…); blank: the issuing jurisdiction's currency.",
            )
            self.fields["sanctions_period"] = forms.CharField(required=False, max_length=100)
            self.fields["stayed"] = forms.BooleanField(required=False)

    def details(self) -> dict:
        """The target-specific arguments of the action."""
        data = self.cleaned_data
        if "outcome" in self.fields:
            return {"outcome": data["outcome"]}
        if "disposition" in self.fields:
            return {"disposition": data.get("disposition") or None}
        if "kind" in self.fields:
            return {
                "kind": data["kind"],
                "by_stipulation": data.get("by_stipulation", False),
                "sanctions_amount": data.get("sanctions_amount"),
                "sanctions_period": data.get("sanctions_period", ""),
                "sanctions_currency": data.get("sanctions_currency", ""),
                "stayed": data.get("stayed", False),
            }
        return {}


class CourtEventForm(CaseStepForm):
    """An event that moves no track: a motion, a ruling, a stay, a statute."""

    kind = forms.ChoiceField(
        choices=[("", "— what happened —"), *workflow.COURT_EVENTS.items()],
        label="Event",
        error_messages={"required": "Pick what happened."},
    )
    motion_type = forms.ChoiceField(
        choices=[("", "—"), *workflow.MOTION_TYPES.items()],
        required=False,
        label="Motion",
        help_text="For a motion filed, granted or denied: what it asks.",
    )
    field_order = ["version", "kind", "motion_type", "occurred_on", "court", "court_name", "citation", "note"]

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # a Form's clean() returns cleaned_data
        if data.get("kind") in workflow.MOTION_EVENTS and not data.get("motion_type"):
            self.add_error("motion_type", "Say what the motion asks: quash, modify, comity, stay or other.")
        elif data.get("motion_type") and data.get("kind") and data["kind"] not in workflow.MOTION_EVENTS:
            self.add_error("motion_type", "Only a motion has a motion type.")
        return data


# --- Deadlines ----------------------------------------------------------------------


class DueTimeForm(VersionedForm):
    """A step that sets a due time: a wall-clock time read in the zone picked on the
    same form and stored in UTC. The zone offered first is the user's own (the one the
    page is shown in, accounts.middleware.UserTimeZoneMiddleware; UTC until they have
    one), and a prefilled due time is shown in it."""

    due_at = forms.DateTimeField(
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    time_zone = forms.ChoiceField(
        choices=TIME_ZONES,
        label="Time zone of the due time",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mine = timezone.get_current_timezone_name()
        field = cast(forms.ChoiceField, self.fields["time_zone"])
        if mine not in ZONE_NAMES:  # the user's own zone, when the short list lacks it
            field.choices = [(mine, f"{mine.replace('_', ' ')} (your zone)"), *TIME_ZONES]
        field.initial = mine
        field.help_text = f"The time you enter is read in this zone (yours: {mine}) and stored in UTC."
        zone = self._zone() if self.is_bound else mine
        self.fields["due_at"].label = f"Due ({zone})"

    def _zone(self) -> str:
        """The zone the posted time is read in: the one picked, if it is offered; else the user's."""
        picked = self.data.get(self.add_prefix("time_zone"))
        choices = cast(forms.ChoiceField, self.fields["time_zone"]).choices
        offered = {value for value, _ in cast(list[tuple[str, str]], choices)}  # set as a list in __init__
        return cast(str, picked) if picked in offered else timezone.get_current_timezone_name()

    def full_clean(self):
        # An unknown zone is refused by its own field; the time is then read in the user's.
        with timezone.override(self._zone()):
            super().full_clean()


class AddDeadlineForm(DueTimeForm):
    """A manual deadline: an objection, a notice of appeal or a custom one, due when counsel says."""

    kind = forms.ChoiceField(choices=[(kind.value, kind.label) for kind in MANUAL_DEADLINE_KINDS])
    label = forms.CharField(required=False, max_length=200, help_text="Required for a custom deadline.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["version", "kind", "label", "due_at", "time_zone", "note"]


class MoveDeadlineForm(DueTimeForm):
    """A manual deadline moves (a court's extension, a stipulation): the new due time and why."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="E.g. the order granting more time.")
    field_order = ["version", "due_at", "time_zone", "reason"]


class DatedStepForm(VersionedForm):
    """A step dated by the day it happened (today unless said otherwise)."""

    occurred_on = forms.DateField(widget=_date_widget(), label="On")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_on", timezone.localdate())


class CompleteDeadlineForm(DatedStepForm):
    """The deadline was met: the response produced, the objection filed."""

    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CancelDeadlineForm(DatedStepForm):
    """A manual deadline that no longer applies, and why."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="E.g. the demand was withdrawn.")


class OverrideForm(forms.ModelForm):
    """Counsel's own answer for one holding of the latest analysis; the reason is required."""

    class Meta:
        model = HoldingOverride
        fields = ["item", "reach", "route", "reason"]
        widgets = {"item": forms.HiddenInput, "reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"reason": "Why the engine's answer does not hold for this holding (cited authority, facts)."}

    def __init__(self, *args, analysis: Analysis, **kwargs):
        super().__init__(*args, **kwargs)
        self.analysis = analysis

    def clean_item(self) -> int:
        index = self.cleaned_data["item"]
        items = self.analysis.result.get("items", [])
        if not 0 <= index < len(items):
            raise ValidationError("No such holding in this analysis.")
        return index

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Give the reason for overriding the engine's answer.")
        return reason

    # Deliberately not ModelForm.save(commit=...): an override is only ever written by
    # the workflow action, which needs who made it.
    def save(self, *, by) -> HoldingOverride:  # type: ignore[override]
        """The override and its timeline entry, through the workflow action."""
        from cases import actions

        data = self.cleaned_data
        return actions.override_holding(
            analysis=self.analysis,
            item=data["item"],
            reach=data["reach"],
            route=data["route"],
            reason=data["reason"],
            by=by,
        )
