"""The OpenAPI document as people read it in Redoc and Swagger UI: operations grouped
by resource (not all under "v1"), and the server the reader is on.

`tag_operations` and `serve_from_request` are drf-spectacular postprocessing hooks
(SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]). The tags change no operationId, path
or schema: clients generated from the document keep their names.
"""

import re

# (pattern on the path after /api/v1/, tag), first match wins; order matters.
_TAGGED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), tag)
    for pattern, tag in (
        (r"^cases/\{id\}/(add|move|complete|cancel)-deadline/$|^cases/\{id\}/deadlines/$", "deadlines"),
        (r"^cases/\{id\}/(documents|correspondence)/$", "documents"),
        (r"^cases/\{id\}/productions/$", "productions"),
        (r"^cases/\{id\}/(tasks/|extend-ndo/)", "nondisclosure orders"),
        (r"^cases/\{id\}/(extend-preservation|disclosure-decision)/$", "preservation and emergencies"),
        (r"^cases/\{id\}/export/$", "exports"),
        (r"^cases/\{id\}/(record-event|transition|sign-off|assign|events|analyses)/$", "case workflow"),
        (r"^cases/", "cases"),
        (r"^demands/", "demands"),
        (r"^catalogue/", "catalogue"),
        (r"^what-if/", "what-if"),
        (r"^reports/", "reports"),
        (r"^whoami/", "account"),
        (r"^webhooks?/", "webhooks"),
    )
)
TAGS = {
    "cases": "Cases: the list, a case, its status (what client systems poll).",
    "case workflow": "A case's steps: track transitions, court events, sign-off, assignment; its events and analyses.",
    "deadlines": "A case's deadlines: computed ones and counsel's manual ones, added, moved, met or cancelled.",
    "documents": "A case's documents and correspondence.",
    "productions": "What was produced for a demand, item by item.",
    "nondisclosure orders": "Nondisclosure orders' extensions and the customer-notice tasks when they expire.",
    "preservation and emergencies": "Preservation extensions and emergency disclosure decisions.",
    "exports": "A case's full record (JSON).",
    "demands": "Demands as received: intake, their accounts and holdings, corrections.",
    "catalogue": "The law: jurisdictions, instruments, agreements, conflict rules, courts.",
    "what-if": "The reach engine on facts given in the request; nothing is stored.",
    "reports": "The transparency report.",
    "account": "Who the token belongs to.",
    "webhooks": "Notifications sent to subscribers' endpoints.",
}
PREFIX = "/api/v1/"


def tag_for(path: str) -> str | None:
    if not path.startswith(PREFIX):
        return None
    rest = path[len(PREFIX) :]
    return next((tag for pattern, tag in _TAGGED if pattern.search(rest)), None)


def tag_operations(result, generator, request, public):
    """One tag per resource, with the tags' descriptions in the order above."""
    used = []
    for path, operations in result.get("paths", {}).items():
        tag = tag_for(path)
        if tag is None:
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operation["tags"] = [tag]
        if tag not in used:
            used.append(tag)
    if result.get("webhooks") and "webhooks" not in used:
        used.append("webhooks")
    result["tags"] = [{"name": tag, "description": TAGS[tag]} for tag in TAGS if tag in used]
    return result


def serve_from_request(result, generator, request, public):
    """The server is the one the document was asked from (its scheme and host), so the
    docs' examples name it; a configured SPECTACULAR_SETTINGS["SERVERS"] stays."""
    if not result.get("servers") and request is not None:
        result["servers"] = [{"url": request.build_absolute_uri("/").rstrip("/"), "description": "This server"}]
    return result
