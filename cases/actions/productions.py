"""Productions: what the provider handed over (or withheld, and why) in answer to a
case, with the files delivered, each kept with its SHA-256, size and content type.

`record_production` is the one way a production is written (the page, the API and
the admin call it). `production_summary` and `derived_outcome` read what the
productions say: whether content was produced, and the outcome to offer on closing.
"""

import codecs
import datetime as dt
import hashlib
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts import roles
from cases.actions.common import (
    _check_date,
    _check_not_before_demand,
    _event,
    _history_user,
    _lock,
    _one_of,
    _refuse_if_closed,
    _save,
    _where,
)
from cases.models import Case, CaseDocument, Outcome, Production, ProductionItem
from jurisdictions.models import Category
from requests_app.documents import PDF_MAGIC, validate_pdf_document
from requests_app.models import Holding

# --- Files ------------------------------------------------------------------------------

# A production's files are exports of customer data: PDFs (checked as every document
# is), ZIP archives, and UTF-8 text (CSV, JSON, plain). Larger than a court document,
# so capped separately: per file and per production.
MAX_PRODUCTION_FILE_BYTES = 100 * 1024 * 1024
MAX_PRODUCTION_FILES = 20
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
TEXT_TYPES = {".csv": "text/csv", ".json": "application/json"}


def _text_type(upload: UploadedFile) -> str | None:
    """The content type of a UTF-8 text file without NUL (CSV, JSON or plain), or None."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    upload.seek(0)
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    finally:
        upload.seek(0)
    name = upload.name or ""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = TEXT_TYPES.get(suffix, "text/plain")
    if kind == "application/json":
        try:
            json.loads(upload.read())
        except ValueError:
            kind = "text/plain"
        finally:
            upload.seek(0)
    return kind


def validate_production_file(upload) -> tuple[UploadedFile, str]:
    """A production file and its content type, judged by its content (never by the name
    or the type the client claims): a plain PDF (`validate_pdf_document`'s rules), a
    readable ZIP archive, or UTF-8 text; at most 100 MB. Raises ValidationError."""
    if not isinstance(upload, UploadedFile):
        raise ValidationError("Each file must be an uploaded file.")
    name = upload.name or "file"
    size = upload.size or 0
    if size == 0:
        raise ValidationError(f"{name} is empty.")
    if size > MAX_PRODUCTION_FILE_BYTES:
        raise ValidationError(f"{name} is {round(size / 2**20, 1)} MB; the limit is 100 MB per file.")
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        try:
            validate_pdf_document(upload)
        except ValidationError as exc:
            if size > 10 * 1024 * 1024 and all("limit is 10 MB" in m for m in exc.messages):
                raise ValidationError(f"{name}: a PDF is limited to 10 MB; send larger exports as ZIP.") from None
            raise ValidationError([f"{name}: {m}" for m in exc.messages]) from None
        return upload, "application/pdf"
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        try:
            with zipfile.ZipFile(upload) as archive:
                encrypted = any(info.flag_bits & 0x1 for info in archive.infolist())
        except (zipfile.BadZipFile, OSError, EOFError):
            raise ValidationError(f"{name} starts like a ZIP archive but cannot be read as one.") from None
        finally:
            upload.seek(0)
        if encrypted:
            raise ValidationError(f"{name} is an encrypted ZIP archive: its content cannot be checked.")
        return upload, "application/zip"
    kind = _text_type(upload)
    if kind is None:
        raise ValidationError(f"{name} is neither a PDF, a ZIP archive nor UTF-8 text (CSV, JSON, plain text).")
    return upload, kind


def _hash(upload: UploadedFile) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


# --- Recording a production ----------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    holding: Holding | None
    category: str
    disposition: str
    reason: str


def _items(raw: Iterable, holdings: dict[int, Holding]) -> list[_Item]:
    """The items as given (dicts: holding or category, disposition, reason), checked."""
    if isinstance(raw, str | bytes | dict) or not isinstance(raw, Iterable):
        raise ValidationError({"items": "items must be a list of holdings or data categories."})
    items: list[_Item] = []
    seen: set[tuple[str, object]] = set()
    for index, entry in enumerate(raw):
        where = f"items[{index}]"
        if not isinstance(entry, dict):
            raise ValidationError({where: "Each item names a holding or a category, and a disposition."})
        holding_ref, category = entry.get("holding"), entry.get("category") or ""
        if holding_ref in ("", None) and not category:
            raise ValidationError({f"{where}.holding": "Name a holding of this demand, or a data category."})
        if holding_ref not in ("", None) and category:
            raise ValidationError({f"{where}.category": "Give a holding or a category, not both."})
        holding = None
        if holding_ref not in ("", None):
            key = holding_ref.pk if isinstance(holding_ref, Holding) else holding_ref
            try:
                holding = holdings.get(int(key)) if isinstance(key, int | str) else None
            except ValueError:
                holding = None
            if holding is None:
                raise ValidationError({f"{where}.holding": f"{key!r} is not a holding of this case's demand."})
        elif category not in Category.values:
            raise ValidationError(
                {f"{where}.category": f"'{category}' is not a data category; use one of: {_one_of(Category)}."}
            )
        disposition = entry.get("disposition") or ""
        if disposition not in ProductionItem.Disposition.values:
            raise ValidationError(
                {
                    f"{where}.disposition": f"'{disposition}' is not a disposition; use one of: "
                    f"{_one_of(ProductionItem.Disposition)}."
                }
            )
        reason = str(entry.get("reason") or "").strip()
        if disposition == ProductionItem.Disposition.WITHHELD and not reason:
            raise ValidationError({f"{where}.reason": "Say why it is withheld."})
        key_seen = ("holding", holding.pk) if holding is not None else ("category", category)
        if key_seen in seen:
            raise ValidationError({where: "This holding or category is already in the production."})
        seen.add(key_seen)
        items.append(_Item(holding, category if holding is None else "", disposition, reason))
    if not items:
        raise ValidationError({"items": "Say what was produced or withheld: at least one holding or category."})
    return items


def _describe(item: _Item) -> str:
    if item.holding is not None:
        place = item.holding.data_location.name if item.holding.data_location else "unknown location"
        return f"{item.holding.account.identifier} {item.holding.category} ({place})"
    return f"all {item.category} data"


def short_hash(sha256: str) -> str:
    return sha256[:12]


def _in_words(production: Production, items: list[_Item], documents: list[CaseDocument]) -> str:
    produced = [_describe(i) for i in items if i.disposition == ProductionItem.Disposition.PRODUCED]
    withheld = [f"{_describe(i)}: {i.reason}" for i in items if i.disposition == ProductionItem.Disposition.WITHHELD]
    lines = [
        f"Production {production.number} to {production.recipient} by {production.get_method_display().lower()} "
        f"on {production.produced_on.isoformat()}."
    ]
    lines.append(f"Produced: {'; '.join(produced)}." if produced else "Nothing produced.")
    if withheld:
        lines.append(f"Withheld: {'; '.join(withheld)}.")
    if documents:
        files = ", ".join(f"{d.title} (SHA-256 {short_hash(d.sha256)}…, {d.size} bytes)" for d in documents)
        lines.append(f"Files: {files}.")
    if production.note:
        lines.append(production.note)
    return "\n".join(lines)


def _text(value, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: f"{field} is required."})
    if len(text) > limit:
        raise ValidationError({field: f"{field} is at most {limit} characters."})
    return text


@transaction.atomic
def record_production(
    case: Case,
    *,
    number: str,
    produced_on: dt.date,
    recipient: str,
    method: str,
    items: Sequence[dict],
    files: Sequence = (),
    note: str = "",
    by,
    expected_version: int | None,
) -> Production:
    """Record one production: each holding of the demand (or data category) produced
    or withheld with a reason, and the files delivered. Counsel (or a read-write API
    client) only; a closed case refuses. One timeline event says it in words."""
    if by is None or not roles.has_role(by, roles.COUNSEL, roles.API_CLIENT):
        raise PermissionDenied("Only counsel record productions.")
    number = _text(number, "number", 60)
    recipient = _text(recipient, "recipient", 200)
    produced_on = _check_date(produced_on, "produced_on")
    if method not in Production.Method.values:
        raise ValidationError({"method": f"'{method}' is not a method; use one of: {_one_of(Production.Method)}."})
    files = list(files or ())
    if len(files) > MAX_PRODUCTION_FILES:
        raise ValidationError({"files": f"At most {MAX_PRODUCTION_FILES} files per production."})
    checked = []
    for upload in files:
        try:
            checked.append(validate_production_file(upload))
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from None
    locked = _lock(case, expected_version)
    _refuse_if_closed(locked, "case", "its productions")
    try:
        _check_not_before_demand(locked, produced_on)
    except ValidationError as exc:
        raise ValidationError({"produced_on": exc.message_dict["occurred_on"]}) from None
    if Production.objects.filter(case=locked, number=number).exists():
        raise ValidationError({"number": f"This case already has a production numbered {number}."})
    holdings = {
        h.pk: h
        for h in Holding.objects.filter(account__demand_id=locked.demand_id).select_related("account", "data_location")
    }
    checked_items = _items(items, holdings)

    production = Production(
        case=locked,
        number=number,
        produced_on=produced_on,
        recipient=recipient,
        method=method,
        note=str(note or "").strip(),
        created_by=by,
    )
    _history_user(production, by)
    production.save()
    for item in checked_items:
        row = ProductionItem(
            production=production,
            holding=item.holding,
            category=item.category,
            disposition=item.disposition,
            reason=item.reason,
        )
        _history_user(row, by)
        row.save()
    documents = []
    for upload, content_type in checked:
        sha256, size = _hash(upload)
        document = CaseDocument(
            case=locked,
            kind=CaseDocument.Kind.PRODUCTION,
            title=(upload.name or "file")[:200],
            sha256=sha256,
            size=size,
            content_type=content_type,
            production=production,
            uploaded_by=by,
        )
        document.file.save(upload.name or "file", upload, save=False)
        _history_user(document, by)
        document.save()
        documents.append(document)
    _save(case, locked, [], by)
    produced = [i for i in checked_items if i.disposition == ProductionItem.Disposition.PRODUCED]
    _event(
        locked,
        kind="production_recorded",
        occurred_on=produced_on,
        by=by,
        where=_where(None, "", "", _in_words(production, checked_items, documents), None),
        data={
            "production": production.pk,
            "number": number,
            "produced": len(produced),
            "withheld": len(checked_items) - len(produced),
            "files": [{"document": d.pk, "name": d.title, "sha256": d.sha256} for d in documents],
        },
    )
    return production


# --- What the productions say ------------------------------------------------------------

# One item as the derivations read it: (holding id, category, disposition, reason); the
# category is the holding's when the item names one.
ItemRow = tuple[int | None, str, str, str]


def _case_id(case: Case | int) -> int:
    return case.pk if isinstance(case, Case) else case


def item_rows(case: Case | int) -> list[ItemRow]:
    """Every item of the case's productions, as the derivations read it. One query."""
    rows = ProductionItem.objects.filter(production__case_id=_case_id(case)).values_list(
        "holding_id", "holding__category", "category", "disposition", "reason"
    )
    return [(h, hc or c, d, r) for h, hc, c, d, r in rows]


def summarize(rows: Iterable[ItemRow]) -> dict[str, bool]:
    """The disclosure classes of `production_summary`, from the items (no query)."""
    produced = {category for _, category, disposition, _ in rows if disposition == ProductionItem.Disposition.PRODUCED}
    content = Category.CONTENT in produced
    return {
        "content_produced": content,
        "non_content_only": bool(produced) and not content,
        "nothing_produced": not produced,
    }


def production_summary(case: Case | int) -> dict[str, bool]:
    """The disclosure classes the transparency report counts: content produced, only
    non-content produced, or nothing produced (no production, or all withheld)."""
    return summarize(item_rows(case))


# Reasons for withholding everything that say there was nothing to produce.
NO_DATA = re.compile(
    r"\bno (responsive |such |matching )?(data|records?|account|content)\b|\bnot found\b|\bdoes not exist\b|"
    r"\bnothing (was )?found\b|\bdeleted\b|\bno longer (held|stored|exists?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DerivedOutcome:
    outcome: str
    why: str

    @property
    def label(self) -> str:
        return Outcome(self.outcome).label


def _span(numbers: Sequence[str]) -> str:
    if len(numbers) == 1:
        return f"production {numbers[0]}"
    return f"productions {', '.join(numbers[:-1])} and {numbers[-1]}"


def derive_outcome(
    numbers: Sequence[str], rows: Sequence[ItemRow], holdings: Iterable[tuple[int, str]]
) -> DerivedOutcome | None:
    """The outcome the productions point to, with why (None: no production recorded),
    from the productions' numbers, their items and the demand's (holding id, category).

    Every holding of the demand produced: produced in full; some: in part; none, all
    withheld: no data when every reason says there was none, else rejected. A holding
    counts as produced when a production produced it or its whole data category.
    (Without holdings on record, the data categories the items name count instead.)"""
    if not numbers:
        return None
    produced = ProductionItem.Disposition.PRODUCED
    span = _span(numbers)
    produced_holdings = {h for h, _, d, _ in rows if h is not None and d == produced}
    produced_categories = {c for h, c, d, _ in rows if h is None and d == produced}
    holdings = list(holdings)
    if holdings:
        done = sum(1 for pk, category in holdings if pk in produced_holdings or category in produced_categories)
        total = len(holdings)
        what = f"data produced for {done} of {total} holding{'s' if total != 1 else ''}"
    else:
        done = len({c for _, c, d, _ in rows if d == produced})
        total = len({c for _, c, _, _ in rows})
        what = f"data produced for {done} of {total} data categor{'ies' if total != 1 else 'y'}"
    if total and done == total:
        return DerivedOutcome(Outcome.PRODUCED_IN_FULL, f"derived from {span}: {what}")
    if done:
        return DerivedOutcome(Outcome.PRODUCED_IN_PART, f"derived from {span}: {what}")
    reasons = [r for _, _, d, r in rows if d == ProductionItem.Disposition.WITHHELD]
    if reasons and all(NO_DATA.search(r) for r in reasons):
        return DerivedOutcome(Outcome.NO_DATA, f"derived from {span}: nothing produced, every item withheld as no data")
    return DerivedOutcome(Outcome.REJECTED, f"derived from {span}: nothing produced, every item withheld")


def derived_outcome(case: Case | int) -> DerivedOutcome | None:
    """`derive_outcome` for a case, read in three queries."""
    case_id = _case_id(case)
    numbers = list(Production.objects.filter(case_id=case_id).values_list("number", flat=True))
    if not numbers:
        return None
    holdings = Holding.objects.filter(account__demand__case__pk=case_id).order_by("pk").values_list("pk", "category")
    return derive_outcome(numbers, item_rows(case_id), list(holdings))


# --- The record: export and memo -----------------------------------------------------------


def productions_record(case: Case | int) -> list[dict]:
    """The case's productions as plain data, for the JSON export and the memo: each with
    its items and files (SHA-256, size, content type). Three queries."""
    case_id = _case_id(case)
    productions = list(
        Production.objects.filter(case_id=case_id).select_related("created_by").order_by("produced_on", "pk")
    )
    items = list(
        ProductionItem.objects.filter(production__case_id=case_id)
        .select_related("holding__account", "holding__data_location")
        .order_by("pk")
    )
    files = list(CaseDocument.objects.filter(case_id=case_id, production__isnull=False).order_by("uploaded_at", "pk"))
    return [
        {
            "id": p.pk,
            "number": p.number,
            "produced_on": p.produced_on,
            "recipient": p.recipient,
            "method": p.method,
            "note": p.note,
            "created_by": p.created_by.get_username(),
            "created_at": p.created_at,
            "items": [
                {
                    "id": i.pk,
                    "holding": i.holding_id,
                    "account": i.holding.account.identifier if i.holding else None,
                    "category": i.holding.category if i.holding else i.category,
                    "data_location": i.holding.data_location.name if i.holding and i.holding.data_location else None,
                    "disposition": i.disposition,
                    "reason": i.reason,
                }
                for i in items
                if i.production_id == p.pk
            ],
            "files": [
                {
                    "id": f.pk,
                    "name": f.title,
                    "content_type": f.content_type,
                    "size": f.size,
                    "sha256": f.sha256,
                    "uploaded_at": f.uploaded_at,
                }
                for f in files
                if f.production_id == p.pk
            ],
        }
        for p in productions
    ]
