from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from accounts.api import ConflictingChange
from accounts.roles import counsel_members
from accounts.views import show_secrets_once
from cases import actions as case_actions
from cases import workflow
from cases.models import (
    Analysis,
    AppealDisposition,
    Case,
    CaseEvent,
    CaseTask,
    ContemptKind,
    ContemptStatus,
    Deadline,
    Notification,
    Outcome,
    WebhookDelivery,
    WebhookEndpoint,
    _webhook_secret,
)
from jurisdictions.models import Court
from requests_app.documents import validate_pdf_document


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are a record: shown in the admin, never edited or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = readonly_fields = (
        "occurred_on",
        "kind",
        "track",
        "from_state",
        "to_state",
        "court",
        "citation",
        "by",
        "recorded_at",
    )
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseWorkflowForm(forms.ModelForm):
    """The case's change form plus "record a change": the tracks are read-only, and a
    change goes through the same action as in the UI and the API."""

    change = forms.ChoiceField(required=False, label="Record a change")
    occurred_on = forms.DateField(required=False, help_text="When it happened in the world.")
    closing_outcome = forms.ChoiceField(required=False, choices=[("", "---------"), *Outcome.choices])
    disposition = forms.ChoiceField(required=False, choices=[("", "---------"), *AppealDisposition.choices])
    contempt_kind_ = forms.ChoiceField(
        required=False, label="Contempt kind", choices=[("", "---------"), *ContemptKind.choices]
    )
    by_stipulation = forms.BooleanField(required=False)
    sanctions_amount = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    sanctions_period = forms.CharField(required=False, max_length=100)
    stayed = forms.BooleanField(required=False, label="Contempt stayed")
    court = forms.ModelChoiceField(required=False, queryset=Court.objects.all())
    court_name = forms.CharField(required=False, max_length=200, help_text="A court not in the catalogue.")
    citation = forms.CharField(required=False, max_length=300)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(required=False, validators=[validate_pdf_document])
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Case
        fields = ["counsel"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.instance
        # Members of counsel (and whoever is assigned now): `assign` refuses anyone else.
        counsel = cast(forms.ModelChoiceField, self.fields["counsel"])
        counsel.queryset = get_user_model().objects.filter(Q(pk__in=counsel_members()) | Q(pk=case.counsel_id))
        choices = [("", "---------")]
        if case.pk:
            self.fields["expected_version"].initial = case.version
            for name, targets in workflow.available_changes(case).items():
                choices += [(f"{name}:{to}", f"{name.capitalize()} → {to.replace('_', ' ')}") for to in targets]
            if case.contempt_status == ContemptStatus.HELD:
                lift = "lift" if case.contempt_stayed else "stay"
                choices.append((f"contempt_stay:{lift}", f"Contempt: {lift} the stay of the finding"))
        choices += [(f"event:{kind}", f"Event: {label}") for kind, label in workflow.COURT_EVENTS.items()]
        cast(forms.ChoiceField, self.fields["change"]).choices = choices  # the `change` declared above

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # a ModelForm's clean() returns cleaned_data
        if data.get("change") and not data.get("occurred_on"):
            self.add_error("occurred_on", "Say when it happened.")
        return data


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    form = CaseWorkflowForm
    list_display = ["pk", "demand", "status", "appeal_status", "contempt_status", "counsel", "updated_at"]
    list_filter = ["status", "appeal_status", "contempt_status"]
    search_fields = ["demand__reference"]
    # The tracks change only through the workflow actions, which write events.
    readonly_fields = [
        "demand", "status", "outcome", "appeal_status", "appeal_disposition", "contempt_status",
        "contempt_kind", "contempt_by_stipulation", "contempt_sanctions_amount",
        "contempt_sanctions_period", "contempt_stayed", "version",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["demand", "counsel", "version"]}),
        ("Tracks", {"fields": [
            "status", "outcome", "appeal_status", "appeal_disposition", "contempt_status", "contempt_kind",
            "contempt_by_stipulation", "contempt_sanctions_amount", "contempt_sanctions_period", "contempt_stayed",
        ]}),
        ("Record a change", {"fields": [
            "change", "occurred_on", "closing_outcome", "disposition", "contempt_kind_", "by_stipulation",
            "sanctions_amount", "sanctions_period", "stayed", "court", "court_name", "citation", "note", "document",
            "expected_version",
        ]}),
    ]  # fmt: skip
    inlines = [CaseEventInline]

    def has_add_permission(self, request, obj=None):
        return False  # a case is opened with its demand, at intake

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Nothing is saved here but through the actions: a full save would write back
        # the track fields as they were read, over a change made meanwhile.
        request._workflow_error = None
        data = dict(form.cleaned_data)
        try:
            if "counsel" in form.changed_data:
                case_actions.assign(
                    case=obj, counsel=data["counsel"], by=request.user, expected_version=data.get("expected_version")
                )
                if data.get("expected_version") is not None:
                    data["expected_version"] = obj.version  # the assignment's own version, for the change below
            if data.get("change"):
                record_change(case=obj, data=data, by=request.user)
        except (ValidationError, ConflictingChange) as exc:
            request._workflow_error = exc

    def response_change(self, request, obj):
        error = getattr(request, "_workflow_error", None)
        if error is not None:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"The change was not recorded: {text}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


def record_change(*, case: Case, data: dict, by) -> CaseEvent:
    """Map the admin form's "record a change" onto the workflow action it names: a
    track's step through the same entry point as the pages and the API."""
    track, _, to = data["change"].partition(":")
    on = data["occurred_on"]
    place = case_actions.Place(
        court=data.get("court"),
        court_name=data.get("court_name") or "",
        citation=data.get("citation") or "",
        note=data.get("note") or "",
        document=data.get("document"),
    )
    common = {"case": case, "by": by, "expected_version": data.get("expected_version")}
    if track in workflow.TRACKS:
        details = case_actions.TrackDetails.from_values(
            {**data, "outcome": data.get("closing_outcome"), "kind": data.get("contempt_kind_")}
        )
        return case_actions.take_track_step(track=track, to=to, occurred_on=on, place=place, details=details, **common)
    if track == "contempt_stay":
        if to == "stay":
            return case_actions.stay_contempt(stayed_on=on, **common, **place.as_kwargs())
        return case_actions.lift_contempt_stay(lifted_on=on, **common, **place.as_kwargs())
    if track == "event":
        return case_actions.record_event(kind=to, occurred_on=on, **common, **place.as_kwargs())
    raise ValidationError({"change": f"Unknown change '{data['change']}'."})


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "occurred_on", "kind", "track", "to_state", "by", "recorded_at"]
    list_filter = ["kind", "track"]


@admin.register(Analysis)
class AnalysisAdmin(ReadOnlyAdmin):
    list_display = ["case", "as_of", "doctrine", "catalogue_version", "created_at", "signed_off_by"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "due_at", "source", "state"]
    list_filter = ["kind", "state", "source"]
    actions = ["mark_met"]

    @admin.action(description="Mark met")
    def mark_met(self, request, queryset):
        for deadline in queryset.filter(state=Deadline.State.OPEN):
            case_actions.complete_deadline(deadline=deadline, by=request.user, expected_version=None)


@admin.register(CaseTask)
class CaseTaskAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "due_on", "done_at", "done_by"]
    list_filter = ["kind"]
    actions = ["mark_done"]

    @admin.action(description="Mark done")
    def mark_done(self, request, queryset):
        for task in queryset.filter(done_at__isnull=True):
            case_actions.complete_case_task(task=task, by=request.user, expected_version=None)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "case", "kind", "created_at", "emailed_at", "read_at"]
    list_filter = ["kind"]


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        required=False,
        choices=list(WebhookEndpoint.EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Admins register client systems' receivers. The signing secret is shown once, on
    creation or rotation, like an API token's key."""

    form = WebhookEndpointForm
    list_display = ["name", "url", "active", "events", "created_at"]
    list_filter = ["active"]
    actions = ["rotate_secret"]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: its deliveries stay on record

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The secret in this response only, never a message (a cookie) or the session.
        return show_secrets_once(
            request,
            title="Webhook endpoint registered",
            secrets=[(f"Signing secret for {obj.name}", obj.secret)],
            onward=reverse("admin:cases_webhookendpoint_changelist"),
            onward_label="On to the webhook endpoints",
        )

    @admin.action(description="Rotate the signing secret of the selected endpoints")
    def rotate_secret(self, request, queryset):
        rotated = []
        for endpoint in queryset:
            endpoint.secret = _webhook_secret()
            endpoint.save(update_fields=["secret"])
            # The admin's history of the endpoint: who rotated its secret and when.
            self.log_change(request, endpoint, "Rotated the signing secret.")
            rotated.append((f"New signing secret for {endpoint.name}", endpoint.secret))
        return show_secrets_once(
            request,
            title="Signing secrets rotated",
            secrets=rotated,
            onward=reverse("admin:cases_webhookendpoint_changelist"),
            onward_label="On to the webhook endpoints",
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event_type",
        "event",
        "attempts",
        "status_code",
        "duration",
        "delivered_at",
        "failed_at",
    ]
    list_filter = ["endpoint", "event_type"]
    list_select_related = ["endpoint", "event"]
    readonly_fields = [
        "endpoint", "event", "delivery_id", "event_type", "payload", "attempts", "status_code",
        "duration", "error", "created_at", "next_attempt_at", "claimed_until", "delivered_at", "failed_at",
    ]  # fmt: skip
