"""The case file's productions section: what was produced or withheld, the files
delivered (with their SHA-256), and counsel's form to record one. The case file
(cases/views/case_file.py) calls `productions_context`; the views that post to it are
in cases/views/productions.py."""

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from accounts import roles
from cases.actions.productions import derive_outcome, short_hash, summarize
from cases.models import Case, CaseDocument, Production, ProductionItem, Status
from cases.views.common import REVIEW_ROLES

PREFIX = "production"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (from one or more inputs); the action checks them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ProductionForm(forms.Form):
    """A production's facts and files; the holdings' dispositions are posted beside it
    (one checkbox, disposition and reason per holding) and read by `_posted_items`."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(max_length=60, label="Production number", help_text="Bates number or the team's own.")
    produced_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Produced on"
    )
    recipient = forms.CharField(max_length=200, help_text="Agency, officer or court that received it.")
    method = forms.ChoiceField(choices=Production.Method.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    documents = MultipleFileField(
        required=False,
        label="Files produced",
        help_text="PDF (10 MB), ZIP or UTF-8 text such as CSV or JSON (100 MB each); several at once.",
    )

    def __init__(self, *args, **kwargs):
        kwargs["prefix"] = PREFIX
        super().__init__(*args, **kwargs)
        self.initial.setdefault("produced_on", timezone.localdate())


def _posted_items(data: QueryDict) -> list[dict]:
    """The holdings ticked on the form, each with its disposition and reason."""
    return [
        {
            "holding": pk,
            "disposition": data.get(f"{PREFIX}-disposition-{pk}", ""),
            "reason": data.get(f"{PREFIX}-reason-{pk}", ""),
        }
        for pk in data.getlist(f"{PREFIX}-holding")
    ]


def _holding_rows(context: dict, posted: QueryDict | None) -> list[dict]:
    """One row per holding of the demand (already read for the page: no query)."""
    ticked = set(posted.getlist(f"{PREFIX}-holding")) if posted is not None else None
    rows = []
    for account in context["accounts"]:
        for holding in account.holding_rows:
            key = str(holding.pk)
            rows.append(
                {
                    "holding": holding,
                    "account": account,
                    "checked": ticked is None or key in ticked,
                    "disposition": (posted.get(f"{PREFIX}-disposition-{key}") if posted is not None else None)
                    or ProductionItem.Disposition.PRODUCED,
                    "reason": posted.get(f"{PREFIX}-reason-{key}", "") if posted is not None else "",
                }
            )
    return rows


def _offer_derived_outcome(context: dict, derived) -> None:
    """The close form offers the outcome the productions point to, and says why."""
    for track in context.get("tracks", []):
        for step in track.get("steps", []):
            form = step["form"]
            if step["key"] != f"status:{Status.CLOSED}" or "outcome" not in form.fields:
                continue
            if not form.is_bound:
                form.initial["outcome"] = derived.outcome
            form.fields["outcome"].help_text = f"Offered: {derived.label}, {derived.why}."


def productions_context(
    request: HttpRequest, case: Case, context: dict, *, form: ProductionForm | None = None, posted=None
) -> dict:
    """The productions section of the case file, in three queries (productions, their
    items with holdings, their files); the derived outcome from what is already read.
    Also offers that outcome on the close form in `context`."""
    productions = list(Production.objects.filter(case=case).select_related("created_by").order_by("produced_on", "pk"))
    items = list(
        ProductionItem.objects.filter(production__case=case)
        .select_related("holding__account", "holding__data_location")
        .order_by("pk")
    )
    files = list(
        CaseDocument.objects.filter(case=case, production__isnull=False)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    for production in productions:
        production.item_rows = [i for i in items if i.production_id == production.pk]  # type: ignore[attr-defined]
        production.file_rows = [f for f in files if f.production_id == production.pk]  # type: ignore[attr-defined]
    for document in files:
        document.short_sha256 = short_hash(document.sha256)  # type: ignore[attr-defined]
    rows = [(i.holding_id, i.holding.category if i.holding else i.category, i.disposition, i.reason) for i in items]
    holdings = [(h.pk, h.category) for account in context["accounts"] for h in account.holding_rows]
    derived = derive_outcome([p.number for p in productions], rows, holdings)
    if derived is not None and not case.is_closed:
        _offer_derived_outcome(context, derived)
    may_record = roles.has_role(request.user, *REVIEW_ROLES) and not case.is_closed
    if may_record and form is None:
        form = ProductionForm(initial={"version": case.version})
    return {
        "productions": productions,
        "production_summary": summarize(rows) if productions else None,
        "production_derived": derived,
        "production_form": form if may_record else None,
        "production_open": posted is not None,
        "production_holdings": _holding_rows(context, posted) if may_record else [],
        "production_dispositions": ProductionItem.Disposition.choices,
    }
