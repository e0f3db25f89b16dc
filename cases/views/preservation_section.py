"""The case file's request-kind sections: a preservation request (its expiry, the
extension, the demand that followed it) and an emergency disclosure request (counsel's
decision). The case file (cases/views/case_file.py) calls `request_kind_context`; the
forms post to cases/views/preservation.py."""

from django import forms
from django.urls import reverse
from django.utils import timezone

from cases.actions.disclosure import PROVISIONS
from cases.actions.preservation import EXTENSIONS
from cases.models import Case, Deadline, EmergencyDisclosureDecision
from requests_app.models import Demand, RequestKind


class ExtendPreservationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    received_on = forms.DateField(
        label="Renewed request received on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Before the preservation expires.",
    )
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    prefix = "extend"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("received_on", timezone.localdate())


class DisclosureDecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=EmergencyDisclosureDecision.Decision.choices, widget=forms.RadioSelect)
    basis = forms.CharField(
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Basis: the good-faith belief and what supports it",
        help_text="That an emergency involving danger of death or serious physical injury requires disclosure "
        "without delay, and what supports the belief (or why there is none).",
    )
    verification = forms.ChoiceField(
        choices=EmergencyDisclosureDecision.Verification.choices, label="Requester verified by"
    )
    verification_detail = forms.CharField(
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Verification detail",
        help_text="Number called, by whom, when; the portal or the domain.",
    )

    prefix = "disclosure"


def request_kind_context(
    case: Case,
    context: dict,
    *,
    extend_form: ExtendPreservationForm | None = None,
    decision_form: DisclosureDecisionForm | None = None,
) -> dict:
    """What the request-kind sections show. No query for a compulsory demand that
    follows no preservation; one or two otherwise (the demands it follows or that
    follow it; the disclosure decisions). The deadlines and events are the page's."""
    demand = case.demand
    kind = demand.request_kind
    can_review = context.get("can_review", False)
    follows = None
    if demand.follows_preservation_id is not None:
        follows = (
            Demand.objects.filter(pk=demand.follows_preservation_id)
            .values("reference", "case__pk", "instrument__code")
            .first()
        )
    section: dict = {"request_kind": kind, "request_kind_label": RequestKind(kind).label, "follows": follows}
    if kind == RequestKind.PRESERVATION:
        expiries = [d for d in context.get("deadlines", []) if d.kind == Deadline.Kind.PRESERVATION_EXPIRES]
        current = next((d for d in expiries if d.state in (Deadline.State.OPEN, Deadline.State.MET)), None)
        fulfilled = next((e for e in context.get("events", []) if e.kind == "preservation_fulfilled"), None)
        extended = next((e for e in context.get("events", []) if e.kind == "preservation_extended"), None)
        can_extend = can_review and not demand.extended and fulfilled is None and not case.is_closed
        section.update(
            followed_by=list(
                Demand.objects.filter(follows_preservation=demand)
                .order_by("created_at", "pk")
                .values("reference", "case__pk", "instrument__code")
            ),
            expiry=current,
            fulfilled=fulfilled,
            extended_event=extended,
            extension=EXTENSIONS.get(demand.instrument.code, "the extended period"),
            # A form posted and refused is shown with its errors even when no extension is left.
            extend_form=extend_form
            or (ExtendPreservationForm(initial={"version": case.version}) if can_extend else None),
            extend_url=reverse("cases:extend_preservation", args=[case.pk]),
        )
    elif kind == RequestKind.EMERGENCY_DISCLOSURE:
        can_decide = can_review and not case.is_closed
        section.update(
            decisions=list(case.disclosure_decisions.select_related("decided_by").order_by("decided_at", "pk")),
            provisions=PROVISIONS,
            decision_form=decision_form
            or (DisclosureDecisionForm(initial={"version": case.version}) if can_decide else None),
            decision_url=reverse("cases:disclosure_decision", args=[case.pk]),
        )
    return {"kind_section": section}
