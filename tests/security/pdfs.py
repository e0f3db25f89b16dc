"""PDFs built with pypdf for the upload tests: a clean one, and ones a reader would act on."""

import io

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    return writer


def clean_pdf() -> bytes:
    return _bytes(_writer())


def _js_action(script: str = "app.alert('hello');") -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(script)})


def javascript_pdf() -> bytes:
    """Document-level JavaScript in the catalogue's /Names tree."""
    writer = _writer()
    action = writer._add_object(_js_action())
    names = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {NameObject("/Names"): ArrayObject([TextStringObject("x"), action])}
            )
        }
    )
    writer._root_object[NameObject("/Names")] = names
    return _bytes(writer)


def open_action_pdf() -> bytes:
    """A script run when the file is opened (/OpenAction)."""
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_js_action())
    return _bytes(writer)


def page_action_pdf() -> bytes:
    """An additional action (/AA) on the page, hidden behind an indirect reference."""
    writer = _writer()
    page = writer.pages[0]
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(_js_action())})
    return _bytes(writer)


def launch_pdf() -> bytes:
    writer = _writer()
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(launch)
    return _bytes(writer)


def launch_link_pdf() -> bytes:
    """A /Launch action on a link annotation (no /OpenAction)."""
    writer = _writer()
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    annot = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([]),
            NameObject("/A"): writer._add_object(launch),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])
    return _bytes(writer)


def embedded_file_pdf() -> bytes:
    writer = _writer()
    writer.add_attachment("payload.exe", b"MZ\x90\x00")
    return _bytes(writer)


def encrypted_pdf() -> bytes:
    writer = _writer()
    writer.encrypt("secret", algorithm="AES-128")
    return _bytes(writer)


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
# Starts like a PDF, is HTML after: what the old first-bytes check let through.
PDF_HEADED_HTML = b"%PDF-1.7\n" + HTML
ACTIVE = {
    "javascript": javascript_pdf,
    "open_action": open_action_pdf,
    "page_action": page_action_pdf,
    "launch": launch_pdf,
    "launch_link": launch_link_pdf,
    "embedded_file": embedded_file_pdf,
}
