"""The case file's documents and correspondence: what the section shows and its forms.

`documents_context` is what cases/views/case_file.py adds to the case file (two
queries); the steps that post these forms are in cases/views/document_steps.py.
"""

from django import forms
from django.http import HttpRequest
from django.utils import timezone

from accounts import roles
from cases.actions.documents import MAX_ATTACHMENTS
from cases.forms import VersionedForm
from cases.models import Case, CaseDocument, Correspondence


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentForm(VersionedForm):
    """A PDF for the case's file; the action checks it and keeps its SHA-256."""

    kind = forms.ChoiceField(choices=CaseDocument.Kind.choices, initial=CaseDocument.Kind.COURT_ORDER)
    title = forms.CharField(max_length=200)
    file = forms.FileField(label="PDF", help_text="A PDF of at most 10 MB, without scripts or embedded files.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CorrespondenceForm(VersionedForm):
    """A letter, e-mail or call logged in or out, with its attachments."""

    direction = forms.ChoiceField(choices=Correspondence.Direction.choices)
    occurred_on = forms.DateField(widget=_date_widget(), label="On")
    channel = forms.ChoiceField(choices=Correspondence.Channel.choices, initial=Correspondence.Channel.EMAIL)
    counterpart = forms.CharField(max_length=200, help_text="Who wrote, or who was written to.")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    attachments = MultipleFileField(
        required=False, label="Attachments (PDF)", help_text=f"Up to {MAX_ATTACHMENTS} PDFs of at most 10 MB each."
    )


class LetterForm(VersionedForm):
    """A letter drafted from the case; counsel edits the text and saves it as sent."""

    letter = forms.ChoiceField(choices=Correspondence.Letter.choices, widget=forms.HiddenInput)
    counterpart = forms.CharField(max_length=200, label="To", help_text="The authority the letter goes to.")
    occurred_on = forms.DateField(widget=_date_widget(), label="Sent on")
    channel = forms.ChoiceField(
        choices=[
            (c.value, c.label)
            for c in Correspondence.Channel
            if c not in (Correspondence.Channel.PHONE, Correspondence.Channel.IN_PERSON)
        ],
        initial=Correspondence.Channel.LETTER,
        label="Sent by",
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 28, "class": "letter-body"}), label="Text")


# The pages' roles: the people of the legal team (client systems use the API).
PAGE_ADD_ROLES = (roles.INTAKE, roles.COUNSEL)
PAGE_LETTER_ROLES = (roles.COUNSEL,)


def may_add(user, case: Case) -> bool:
    """Whether the section offers `user` the forms (the action checks it again):
    intake and counsel, and once the case is closed, counsel."""
    return roles.has_role(user, *(PAGE_LETTER_ROLES if case.is_closed else PAGE_ADD_ROLES))


def may_write_letters(user, case: Case) -> bool:
    return roles.has_role(user, *PAGE_LETTER_ROLES)


def documents_context(request: HttpRequest, case: Case, *, bound: dict) -> dict:
    """The documents and the correspondence log with their attachments (two queries),
    and for those who may add, the forms; a refused form (popped from `bound` under
    "document" or "correspondence") is shown again, open, with its errors."""
    documents = list(case.documents.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    attachments: dict[int, list[CaseDocument]] = {}
    for document in documents:
        if document.correspondence_id is not None:
            attachments.setdefault(document.correspondence_id, []).append(document)
    log = list(case.correspondence.select_related("created_by").order_by("occurred_on", "pk"))
    for item in log:
        item.attached = attachments.get(item.pk, [])  # type: ignore[attr-defined]  # for the template
    document_form = bound.pop("document", None)
    correspondence_form = bound.pop("correspondence", None)
    context: dict = {"documents": documents, "correspondence_log": log, "letter_kinds": []}
    if may_add(request.user, case):
        initial = {"version": case.version}
        context.update(
            {
                "document_form": document_form or DocumentForm(prefix="document", initial=initial),
                "document_open": document_form is not None,
                "correspondence_form": correspondence_form
                or CorrespondenceForm(
                    prefix="correspondence", initial={**initial, "occurred_on": timezone.localdate()}
                ),
                "correspondence_open": correspondence_form is not None,
            }
        )
    if may_write_letters(request.user, case):
        context["letter_kinds"] = Correspondence.Letter.choices
    return context
