"""The case's documents and its correspondence: a file added to the case, a letter,
e-mail or call logged in or out, and a letter written from the case and saved as sent.

Every file is a PDF checked by `requests_app.documents.validate_pdf_document` (by its
parsed structure, at most 10 MB); its SHA-256 and size are computed from the bytes
stored, so the hash on record is the hash of what a download gives back. Intake and
counsel add documents and log correspondence while the case is open; once it is
closed only counsel (and read-write API clients, which act for counsel) still do: a
court's later order or a late letter still belongs in the file. A letter written from
the case is counsel's.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import roles
from cases.actions.common import _check_date, _event, _history_user, _lock, _one_of, _save, _where
from cases.models import Case, CaseDocument, CaseEvent, Correspondence
from requests_app.documents import PDF_CONTENT_TYPE, validate_pdf_document

# Who may add to the file, open or closed (see the module's docstring).
ADD_ROLES = (roles.INTAKE, roles.COUNSEL, roles.API_CLIENT)
CLOSED_CASE_ROLES = (roles.COUNSEL, roles.API_CLIENT)
LETTER_ROLES = (roles.COUNSEL, roles.API_CLIENT)
MAX_ATTACHMENTS = 10
MAX_TITLE = 200
MAX_LETTER_CHARS = 50_000
SHORT_HASH = 12


@dataclass(frozen=True)
class Stored:
    """What saving a file found out about its bytes."""

    sha256: str
    size: int
    content_type: str


def _may_add(locked: Case, by, *, allowed: tuple[str, ...] = ADD_ROLES) -> None:
    if not roles.has_role(by, *allowed):
        raise PermissionDenied("Your role does not allow adding to this case's file.")
    if locked.is_closed and not roles.has_role(by, *CLOSED_CASE_ROLES):
        raise PermissionDenied("The case is closed: only counsel add to its file now.")


def _checked_pdf(file, field: str) -> UploadedFile:
    """The upload, checked as a PDF; the check's message under `field`."""
    if not isinstance(file, UploadedFile):
        raise ValidationError({field: "Attach a PDF file."})
    try:
        validate_pdf_document(file)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return file


def _digest(file) -> Stored:
    """SHA-256 and size of the upload's bytes, read in chunks (never all in memory)."""
    sha, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in file.chunks():
        sha.update(chunk)
        size += len(chunk)
    file.seek(0)
    return Stored(sha256=sha.hexdigest(), size=size, content_type=PDF_CONTENT_TYPE)


def _title(title: str, field: str = "title") -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({field: "Give the document a title."})
    if len(title) > MAX_TITLE:
        raise ValidationError({field: f"At most {MAX_TITLE} characters."})
    return title


def _store(
    locked: Case,
    *,
    kind: str,
    title: str,
    file,
    by,
    correspondence: Correspondence | None = None,
) -> CaseDocument:
    stored = _digest(file)
    document = CaseDocument(
        case=locked,
        kind=kind,
        title=title,
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        correspondence=correspondence,
        uploaded_by=by,
    )
    document.file.save(_file_name(title), file, save=False)
    _history_user(document, by)
    document.save()
    return document


def _file_name(title: str) -> str:
    """A storage name from the title: letters, digits, dashes; the title is kept as typed."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:60] or "document"
    return f"{slug}.pdf"


def _short(sha256: str) -> str:
    return sha256[:SHORT_HASH]


@transaction.atomic
def add_case_document(
    case: Case | int, *, kind: str, title: str, file, by, expected_version: int | None
) -> CaseDocument:
    """A document joins the case's file (the demand, an order, a motion, ...), kept with
    its SHA-256, size and content type; one "document_added" event names it."""
    if kind not in CaseDocument.Kind.values:
        raise ValidationError({"kind": f"Unknown kind {kind!r}; one of {_one_of(CaseDocument.Kind)}."})
    title = _title(title)
    file = _checked_pdf(file, "file")
    locked = _lock(case, expected_version)
    _may_add(locked, by)
    document = _store(locked, kind=kind, title=title, file=file, by=by)
    _save(case if isinstance(case, Case) else None, locked, [], by)
    label = CaseDocument.Kind(kind).label
    _event(
        locked,
        kind="document_added",
        occurred_on=timezone.localdate(),
        by=by,
        where=_where(None, "", "", f"{label}: {title} (SHA-256 {_short(document.sha256)}…)", None),
        data={"document": document.pk, "kind": kind, "title": title, "sha256": document.sha256},
    )
    return document


def _correspondence_fields(*, direction: str, occurred_on, channel: str, counterpart: str, summary: str) -> dict:
    if direction not in Correspondence.Direction.values:
        raise ValidationError({"direction": f"One of {_one_of(Correspondence.Direction)}."})
    if channel not in Correspondence.Channel.values:
        raise ValidationError({"channel": f"One of {_one_of(Correspondence.Channel)}."})
    counterpart = (counterpart or "").strip()
    if not counterpart:
        raise ValidationError({"counterpart": "Say who wrote, or who was written to."})
    if len(counterpart) > 200:
        raise ValidationError({"counterpart": "At most 200 characters."})
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": "Say in a line or two what it says."})
    return {
        "direction": direction,
        "occurred_on": _check_date(occurred_on),
        "channel": channel,
        "counterpart": counterpart,
        "summary": summary,
    }


def _correspondence_event(locked: Case, item: Correspondence, by, attached: list[CaseDocument]) -> CaseEvent:
    arrow = "from" if item.direction == Correspondence.Direction.IN else "to"
    what = item.get_letter_display() if item.letter else item.get_channel_display()
    note = f"{what} {arrow} {item.counterpart}: {item.summary}"
    if attached:
        note += "\nAttached: " + "; ".join(f"{d.title} (SHA-256 {_short(d.sha256)}…)" for d in attached)
    return _event(
        locked,
        kind="correspondence_recorded",
        occurred_on=item.occurred_on,
        by=by,
        where=_where(None, "", "", note, None),
        data={
            "correspondence": item.pk,
            "direction": item.direction,
            "channel": item.channel,
            "letter": item.letter,
            "documents": [d.pk for d in attached],
        },
    )


@transaction.atomic
def record_correspondence(
    case: Case | int,
    *,
    direction: str,
    occurred_on: dt.date,
    channel: str,
    counterpart: str,
    summary: str,
    attachments: Iterable = (),
    by,
    expected_version: int | None,
) -> Correspondence:
    """A letter, e-mail or call with the requesting authority, in or out, with its
    attachments (each a PDF, kept as a "correspondence" document of the case); one
    "correspondence_recorded" event."""
    fields = _correspondence_fields(
        direction=direction, occurred_on=occurred_on, channel=channel, counterpart=counterpart, summary=summary
    )
    files = [file for file in attachments if file]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"At most {MAX_ATTACHMENTS} attachments."})
    files = [_checked_pdf(file, "attachments") for file in files]
    locked = _lock(case, expected_version)
    _may_add(locked, by)
    item = Correspondence(case=locked, created_by=by, **fields)
    _history_user(item, by)
    item.save()
    attached = [
        _store(
            locked,
            kind=CaseDocument.Kind.CORRESPONDENCE,
            title=_title(getattr(file, "name", "") or "attachment", "attachments"),
            file=file,
            by=by,
            correspondence=item,
        )
        for file in files
    ]
    _save(case if isinstance(case, Case) else None, locked, [], by)
    _correspondence_event(locked, item, by, attached)
    return item


@transaction.atomic
def send_letter(
    case: Case | int,
    *,
    letter: str,
    counterpart: str,
    body: str,
    occurred_on: dt.date,
    by,
    expected_version: int | None,
    render_pdf: Callable[[str, str], bytes],
    channel: str = Correspondence.Channel.LETTER,
) -> Correspondence:
    """Counsel's letter written from the case, saved as sent: the correspondence (out,
    its kind and text) and the letter as a PDF document of the case, in one event.

    `render_pdf(text, title) -> bytes` makes the PDF (cases/views/documents.py renders
    it with WeasyPrint as the memo is rendered); it runs inside the transaction, so a
    failure leaves nothing written."""
    if letter not in Correspondence.Letter.values:
        raise ValidationError({"letter": f"One of {_one_of(Correspondence.Letter)}."})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "The letter has no text."})
    if len(body) > MAX_LETTER_CHARS:
        raise ValidationError({"body": f"At most {MAX_LETTER_CHARS} characters."})
    label = Correspondence.Letter(letter).label
    fields = _correspondence_fields(
        direction=Correspondence.Direction.OUT,
        occurred_on=occurred_on,
        channel=channel,
        counterpart=counterpart,
        summary=label,
    )
    locked = _lock(case, expected_version)
    _may_add(locked, by, allowed=LETTER_ROLES)
    item = Correspondence(case=locked, created_by=by, letter=letter, body=body, **fields)
    _history_user(item, by)
    item.save()
    title = f"{label} to {fields['counterpart']}, {fields['occurred_on'].isoformat()}"[:MAX_TITLE]
    pdf = ContentFile(render_pdf(body, title), name=_file_name(title))
    document = _store(locked, kind=CaseDocument.Kind.CORRESPONDENCE, title=title, file=pdf, by=by, correspondence=item)
    _save(case if isinstance(case, Case) else None, locked, [], by)
    _correspondence_event(locked, item, by, [document])
    return item


# --- The record: the export's and the memo's "documents" and "correspondence" --------------


def _who(user) -> str | None:
    return user.get_username() if user is not None else None


def _document_data(d: CaseDocument) -> dict:
    return {
        "id": d.pk,
        "kind": d.kind,
        "kind_label": d.get_kind_display(),
        "title": d.title,
        "sha256": d.sha256,
        "size": d.size,
        "content_type": d.content_type,
        "production": d.production_id,
        "correspondence": d.correspondence_id,
        "uploaded_by": _who(d.uploaded_by),
        "uploaded_at": d.uploaded_at,
    }


def documents_record(case_id: int) -> dict:
    """The export's `documents` (every document of the case with its hash, oldest
    first) and `correspondence` (the log, oldest first, each entry with its
    attachments), in two queries."""
    documents = [
        _document_data(d)
        for d in CaseDocument.objects.filter(case_id=case_id)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    ]
    attachments: dict[int, list[dict]] = {}
    for d in documents:
        if d["correspondence"] is not None:
            attachments.setdefault(d["correspondence"], []).append(d)
    log = Correspondence.objects.filter(case_id=case_id).select_related("created_by").order_by("occurred_on", "pk")
    correspondence = [
        {
            "id": c.pk,
            "direction": c.direction,
            "occurred_on": c.occurred_on,
            "channel": c.channel,
            "counterpart": c.counterpart,
            "summary": c.summary,
            "letter": c.letter or None,
            "letter_label": c.get_letter_display() if c.letter else None,
            "body": c.body,
            "created_by": _who(c.created_by),
            "created_at": c.created_at,
            "attachments": attachments.get(c.pk, []),
        }
        for c in log
    ]
    return {"documents": documents, "correspondence": correspondence}
