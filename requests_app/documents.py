"""The one check every uploaded document passes: intake, the correction of a demand,
a case event's document, and both admin forms (the API takes no uploads).

A document is a PDF by its parsed structure, not by its name or its first bytes: a
file that only starts with `%PDF-` may be HTML or a script further on, and a real PDF
may carry JavaScript, an action run on opening or an embedded file. Counsel open
these documents in a PDF reader with their own privileges, so those are refused, as
are encrypted files (nothing in them can be checked) and files pypdf cannot read.
The documents are served back only as attachments (requests_app/views.py
`demand_document`, cases/views/case_file.py `event_document`).
"""

import logging

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

log = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
PDF_CONTENT_TYPE = "application/pdf"

# Keys of a PDF dictionary that make a reader act on its own: what it means, for the
# message. /AA and /OpenAction run actions; /JS is an action's script.
ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/OpenAction": "an action run when the file is opened (/OpenAction)",
    "/AA": "actions run on opening pages or fields (/AA)",
    "/Launch": "an action that starts another program (/Launch)",
    "/EmbeddedFiles": "embedded files (/EmbeddedFiles)",
    "/EmbeddedFile": "embedded files (/EmbeddedFile)",
    "/RichMedia": "embedded media (/RichMedia)",
    "/XFA": "an XFA form, which carries scripts (/XFA)",
}
# Action types (the value of /S) with the same effect.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts another program (/Launch)",
    "/ImportData": "an action that imports data (/ImportData)",
    "/SubmitForm": "an action that submits a form (/SubmitForm)",
}
# A walk over more objects than this is a file built to exhaust the check.
MAX_OBJECTS = 200_000


def active_content(reader: PdfReader) -> str | None:
    """What in the file a reader would act on, or None. Walks every object reachable
    from the trailer and every object in the cross-reference tables (so an object
    only a recovering reader would find is checked too), iteratively."""
    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    for generation, objects in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in objects)
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    walked = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            ref = (item.idnum, item.generation)
            if ref in seen:
                continue
            seen.add(ref)
            item = item.get_object()
        walked += 1
        if walked > MAX_OBJECTS:
            return "more objects than a document needs"
        if isinstance(item, DictionaryObject):  # a stream's dictionary too
            for key, value in item.items():
                if key in ACTIVE_KEYS:
                    return ACTIVE_KEYS[key]
                if key == "/S" and isinstance(value, NameObject) and value in ACTIVE_ACTIONS:
                    return ACTIVE_ACTIONS[value]
                stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def validate_pdf_document(document):
    """Refuse an upload that is not a plain PDF of at most 10 MB; blank (or the file
    already on record) passes. The upload is returned marked as a PDF (its content
    type is what object storage records), its name unchanged."""
    if not document or not isinstance(document, UploadedFile):
        return document  # blank, or the file already on record (a form's initial value)
    size = document.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            "The document is %(size)s MB; the limit is 10 MB.",
            code="too_large",
            params={"size": round(size / 2**20, 1)},
        )
    document.seek(0)
    head = document.read(len(PDF_MAGIC))
    document.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError("The document is not a PDF: its content does not start with %PDF-.", code="not_pdf")
    pages, found = 0, None
    try:
        reader = PdfReader(document)
        encrypted = reader.is_encrypted
        if not encrypted:
            pages = len(reader.pages)
            found = active_content(reader)
    except Exception as exc:  # pypdf raises many kinds of error on a malformed file
        log.info("uploaded document refused: pypdf could not read it (%s)", type(exc).__name__)
        raise ValidationError(
            "The document could not be read as a PDF; it may be damaged. Save or print it to PDF again.",
            code="unreadable",
        ) from None
    finally:
        document.seek(0)
    if encrypted:
        raise ValidationError(
            "The document is encrypted or password-protected, so it cannot be checked. Upload an unprotected copy.",
            code="encrypted",
        )
    if pages == 0:
        raise ValidationError("The document has no pages.", code="no_pages")
    if found:
        raise ValidationError(
            "The document contains %(what)s, which a PDF reader could run when counsel open it. Print it to a new "
            "PDF (or flatten it) to drop the active content, then upload that copy.",
            code="active_content",
            params={"what": found},
        )
    document.content_type = PDF_CONTENT_TYPE
    return document


def document_response(handle, *, filename: str) -> FileResponse:
    """A stored document as a download: an attachment, never rendered in the app's
    origin, typed as a PDF with sniffing off, and kept out of shared caches. Read
    from whichever storage holds it (the disk, or the bucket on every machine)."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=PDF_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
