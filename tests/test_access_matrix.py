"""Who may open what: every URL pattern of the app and the API, walked from the
resolver, against every persona, for GET and POST, checked against an explicit table.

A URL pattern without a row in RULES fails the test: a new page must come with its
access rule. Path parameters are filled with real ids and codes from a seeded
database (the catalogue and the demo cases). POSTs carry an empty body: an allowed
role gets the view's own refusal of bad input (400/422, or a redirect), a refused
role gets 403 (or the login redirect / 401), so the table says who gets past the
role check without writing anything.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import ApiToken
from cases.models import Analysis, Case, CaseDocument, CaseEvent, CaseTask, Deadline, WhatIfRun
from jurisdictions.models import Agreement, ConflictRule, Court, Jurisdiction, LegalInstrument
from requests_app.models import NondisclosureOrder

PERSONAS = ("anon", "intake", "counsel", "viewer", "outsider", "ro_token", "rw_token", "staff")

LOGIN = "302 login"  # a redirect to /login/?next=...
ANY_LOGIN = "302 site or admin login"
ADMIN_LOGIN = "302 admin login"

PAGE_READERS = {"intake", "counsel", "viewer", "staff"}
PAGE_INTAKE = {"intake", "counsel", "staff"}
PAGE_COUNSEL = {"counsel", "staff"}
API_READERS = {"intake", "counsel", "viewer", "ro_token", "rw_token", "staff"}
API_LOGGERS = {"intake", "counsel", "rw_token", "staff"}
API_STEPPERS = {"counsel", "rw_token", "staff"}
API_AUTHENTICATED = API_READERS | {"outsider"}


def page(allowed: set[str], ok, refused=403) -> dict[str, object]:
    """A server-rendered page: anonymous users and token clients (a token means nothing
    to a page) are sent to the login page; logged-in users without the role get 403."""
    rule = {p: (ok if p in allowed else refused) for p in PERSONAS}
    rule.update(anon=LOGIN, ro_token=LOGIN, rw_token=LOGIN)
    return rule


def api(allowed: set[str], ok, refused=403) -> dict[str, object]:
    """An API endpoint: 401 without credentials, 403 for a role or scope that may not."""
    rule = {p: (ok if p in allowed else refused) for p in PERSONAS}
    rule["anon"] = 401
    return rule


def public(status) -> dict[str, object]:
    return dict.fromkeys(PERSONAS, status)


# The admin: the login middleware sends anonymous users (and token clients) to the
# site's login; the admin sends logged-in users who are not staff to its own.
ADMIN_STAFF = {p: ADMIN_LOGIN for p in PERSONAS} | {"anon": ANY_LOGIN, "ro_token": ANY_LOGIN, "rw_token": ANY_LOGIN}
ADMIN_STAFF["staff"] = "staff ok"
# Records nobody adds or deletes by hand, not even staff: the admin refuses (403).
ADMIN_REFUSED_TO_STAFF = {
    *(f"admin:cases_{model}_{op}" for model in ("caseevent", "analysis", "deadline", "casetask", "notification",
                                                "webhookdelivery") for op in ("add", "delete")),
    "admin:outbox_outboxmessage_add", "admin:outbox_outboxmessage_delete",
    "admin:outbox_scheduledrun_add", "admin:outbox_scheduledrun_delete",  # written by run_scheduler only
    "admin:cases_case_add", "admin:cases_case_delete",  # a case opens with its demand and stays
    "admin:requests_app_demand_delete", "admin:requests_app_targetaccount_delete",
    # A demand, its accounts and holdings are logged at intake or through the API (log_demand), never added here.
    "admin:requests_app_demand_add", "admin:requests_app_targetaccount_add", "admin:requests_app_holding_add",
    "admin:requests_app_holding_delete", "admin:accounts_apitoken_delete", "admin:cases_webhookendpoint_delete",
    "admin:accounts_loginthrottle_add",  # failures are counted by logins; staff only delete them (unlock)
    "admin:jurisdictions_catalogueversion_add", "admin:jurisdictions_catalogueversion_delete",
}  # fmt: skip

# url name -> {"get": {persona: outcome}, "post": {...}}; "post" only where the view
# accepts POST (elsewhere a POST must not succeed either: see the test). Outcomes are
# status codes, a tuple of allowed codes, LOGIN/ADMIN_LOGIN, or "staff ok" (no 5xx, not
# sent to log in: the admin's own 200/302 answers).
RULES: dict[str, dict] = {
    # --- accounts
    "login": {"get": public(200), "post": public(200)},
    "logout": {"get": page(PERSONAS, 405), "post": page(PERSONAS, 302)},
    "password_change": {"get": page(PERSONAS, 200) | {"outsider": 200}, "post": page(PERSONAS, 200)},
    "password_change_done": {"get": page(PERSONAS, 200)},
    # Everyone signed in picks their own time zone; an empty POST names the missing field (400).
    "profile": {"get": page(PERSONAS, 200), "post": page(PERSONAS, 400)},
    "profile_browser_time_zone": {"get": page(PERSONAS, 405), "post": page(PERSONAS, 400)},
    "healthz": {"get": public(200)},
    "favicon": {"get": public(302)},  # to the vendored static icon
    # --- pages
    "home": {"get": page(PAGE_READERS, 200)},
    "cases:list": {"get": page(PAGE_READERS, 200)},
    "cases:export_csv": {"get": page(PAGE_READERS, 200)},
    "cases:detail": {"get": page(PAGE_READERS, 200)},
    "cases:analysis": {"get": page(PAGE_READERS, 200)},
    # Intake corrects facts only before the first analysis; the seeded case is analysed
    # and closed, so counsel is sent back to its file (a closed case's facts are final).
    "cases:amend": {"get": page(PAGE_COUNSEL, 302), "post": page(PAGE_COUNSEL, 302)},
    "cases:sign_off": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},
    "cases:assign": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:override": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:change_track": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:record_event": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:contempt_stay": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:add_deadline": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:move_deadline": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:complete_deadline": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:cancel_deadline": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 302)},  # refused: PRG
    "cases:extend_preservation": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 422)},
    "cases:record_production": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 422)},
    "cases:document_download": {"get": page(PAGE_READERS, 200)},
    "cases:add_document": {"get": page(PERSONAS, 405), "post": page(PAGE_INTAKE, 422)},
    "cases:record_correspondence": {"get": page(PERSONAS, 405), "post": page(PAGE_INTAKE, 422)},
    "cases:new_letter": {"get": page(PAGE_COUNSEL, 404), "post": page(PAGE_COUNSEL, 422)},
    "cases:extend_ndo": {"get": page(PAGE_COUNSEL, 200), "post": page(PAGE_COUNSEL, 422)},
    "cases:complete_task": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 422)},
    "cases:disclosure_decision": {"get": page(PERSONAS, 405), "post": page(PAGE_COUNSEL, 422)},
    # Re-runs as of another date: every reader sees them; counsel adds one (kept on the file).
    "cases:what_if": {"get": page(PAGE_READERS, 200), "post": page(PAGE_COUNSEL, 400)},
    "cases:what_if_run": {"get": page(PAGE_READERS, 200)},
    "cases:export_json": {"get": page(PAGE_READERS, 200)},
    "cases:memo_pdf": {"get": page(PAGE_READERS, 200)},
    "reports:transparency": {"get": page(PAGE_READERS, 200)},
    "reports:transparency_csv": {"get": page(PAGE_READERS, 200)},
    "reports:transparency_json": {"get": page(PAGE_READERS, 200)},
    "demands:new": {"get": page(PAGE_INTAKE, 200), "post": page(PAGE_INTAKE, 422)},
    "demands:account_form": {"get": page(PAGE_INTAKE, 200)},
    "demands:holding_form": {"get": page(PAGE_INTAKE, 200)},
    "demands:document": {"get": page(PAGE_READERS, 200)},
    "cases:event_document": {"get": page(PAGE_READERS, 200)},
    "catalogue:index": {"get": page(PAGE_READERS, 200)},
    # Everyone signed in has their own notifications; another person's notice is a 404.
    "notifications:list": {"get": page(PERSONAS, 200)},
    "notifications:mark_read": {"get": page(PERSONAS, 405), "post": page(PERSONAS, 404)},
    "notifications:mark_all_read": {"get": page(PERSONAS, 405), "post": page(PERSONAS, 302)},
    "catalogue:what_if": {"get": page(PAGE_READERS, 200), "post": page(PAGE_READERS, 400)},
    # --- REST API
    "v1:case-list": {"get": api(API_READERS, 200)},
    "v1:case-detail": {"get": api(API_READERS, 200)},
    "v1:case-status": {"get": api(API_READERS, 200)},
    "v1:case-events": {"get": api(API_READERS, 200)},
    "v1:case-deadlines": {"get": api(API_READERS, 200)},
    "v1:case-analyses": {"get": api(API_READERS, 200)},
    "v1:case-transition": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:case-record-event": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:case-add-deadline": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:case-move-deadline": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:case-complete-deadline": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:case-cancel-deadline": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:case-sign-off": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:case-assign": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "v1:demand-list": {"get": api(API_READERS, 200), "post": api(API_LOGGERS, 400)},
    "v1:demand-detail": {"get": api(API_READERS, 200)},
    "v1:jurisdiction-list": {"get": api(API_READERS, 200)},
    "v1:jurisdiction-detail": {"get": api(API_READERS, 200)},
    "v1:instrument-list": {"get": api(API_READERS, 200)},
    "v1:instrument-detail": {"get": api(API_READERS, 200)},
    "v1:agreement-list": {"get": api(API_READERS, 200)},
    "v1:agreement-detail": {"get": api(API_READERS, 200)},
    "v1:conflict-rule-list": {"get": api(API_READERS, 200)},
    "v1:conflict-rule-detail": {"get": api(API_READERS, 200)},
    "v1:court-list": {"get": api(API_READERS, 200)},
    "v1:court-detail": {"get": api(API_READERS, 200)},
    "what-if": {"get": api(API_READERS, 405), "post": api(API_READERS, 400)},
    "whoami": {"get": api(API_READERS, 200)},
    "case-export": {"get": api(API_READERS, 200)},
    "case-extend-preservation": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "case-disclosure-decision": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "case-productions": {"get": api(API_READERS, 200), "post": api(API_STEPPERS, 400)},
    "case-documents": {"get": api(API_READERS, 200), "post": api(API_LOGGERS, 415)},
    "case-correspondence": {"get": api(API_READERS, 200), "post": api(API_LOGGERS, 400)},
    "case-extend-ndo": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "case-tasks": {"get": api(API_READERS, 200)},
    "case-task-complete": {"get": api(API_READERS, 405), "post": api(API_STEPPERS, 400)},
    "transparency-report": {"get": api(API_READERS, 200)},
    # The schema and its viewers describe the API, no data, but only to whom may use it: a role or a token.
    "schema": {"get": api(API_READERS, 200)},
    # Pages for people: an anonymous browser goes to the login page (the schema stays 401).
    "api-docs": {"get": {**api(API_READERS, 200), "anon": LOGIN}},
    "api-redoc": {"get": {**api(API_READERS, 200), "anon": LOGIN}},
    # Any other path under /api/: the API's JSON 404, for everyone (also with DEBUG on).
    "api-not-found": {"get": public(404), "post": public(404)},
}
# The admin: staff only, everything in it (its login page excepted).
ADMIN_RULES = {
    "admin:login": {"get": public(200) | {"staff": 302}},  # staff already logged in: on to the index
    "admin:logout": {
        "get": page(PERSONAS, 302) | {"staff": 405, "anon": ANY_LOGIN, "ro_token": ANY_LOGIN, "rw_token": ANY_LOGIN}
    },
    "admin:autocomplete": {"get": ADMIN_STAFF | {"staff": 403}},  # 403 without its query parameters
}

# Query strings some views need to render (the intake page's "add" buttons).
QUERY = {
    "demands:account_form": "?accounts-TOTAL_FORMS=1",
    "demands:holding_form": "?accounts-0-holdings-TOTAL_FORMS=1",
}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, list[str], str]]:
    """Every URL pattern as (namespaced name, its path parameters, its route). An
    unnamed pattern is named "<unnamed ROUTE>" within its namespace."""
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            params = sorted(set(re.findall(r"<(?:\w+:)?(\w+)>", route)) | set(re.findall(r"\(\?P<(\w+)>", route)))
            name = entry.name or f"<unnamed {route}>"
            found.append((f"{namespace}{name}", params, route))
    return found


@pytest.fixture
def seeded(catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    case = Case.objects.select_related("demand").get(demand__reference="13-MAG-2814")
    demand = case.demand
    demand.document.save("warrant.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    event = CaseEvent.objects.create(
        case=case, kind="note", occurred_on=case.created_at.date(),
        document=ContentFile(b"%PDF-1.4\n%%EOF\n", name="order.pdf"),
    )  # fmt: skip
    order = NondisclosureOrder.objects.create(
        demand=demand, basis="18 U.S.C. §2705(b)", starts_on=case.created_at.date(), expires_on=case.created_at.date()
    )
    task = CaseTask.objects.create(
        case=case, kind=CaseTask.Kind.CUSTOMER_NOTICE, due_on=order.expires_on,
        nondisclosure_order=order, ndo_expired_on=order.expires_on,
    )  # fmt: skip
    doc = CaseDocument.objects.create(
        case=case,
        kind=CaseDocument.Kind.COURT_ORDER,
        title="Order",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="o.pdf"),
        sha256="0" * 64,
        size=15,
        content_type="application/pdf",
        uploaded_by=get_user_model().objects.get(username="counsel"),
    )
    deadline = Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.CUSTOM,
        label="Call the AUSA",
        due_at=case.created_at,
        source=Deadline.Source.MANUAL,
    )
    run = WhatIfRun.objects.create(
        case=case, as_of=case.created_at.date(), catalogue_version=catalogue, result=case.latest_analysis.result,
        created_by=get_user_model().objects.get(username="counsel"),
    )  # fmt: skip
    return {
        "case": case.pk,
        "run": run.pk,
        "event": event.pk,
        "deadline": deadline.pk,
        "order": order.pk,
        "task": task.pk,
        "task_id": task.pk,
        "doc": doc.pk,
        "demand": demand.pk,
        "analysis": Analysis.objects.filter(case=case).order_by("-pk").values_list("pk", flat=True).first(),
        "jurisdiction": Jurisdiction.objects.values_list("pk", flat=True).get(pk="US"),
        "instrument": LegalInstrument.objects.values_list("code", flat=True).first(),
        "agreement": Agreement.objects.values_list("code", flat=True).first(),
        "conflict-rule": ConflictRule.objects.values_list("code", flat=True).first(),
        "court": Court.objects.values_list("pk", flat=True).first(),
    }


def kwargs_for(name: str, params: list[str], seeded: dict) -> dict:
    values = {}
    for param in params:
        if param == "pk":
            kind = name.removeprefix("v1:").rsplit("-", 1)[0] if name.startswith("v1:") else "case"
            if name == "demands:document" or kind == "demand":
                kind = "demand"
            values[param] = seeded.get(kind, seeded["case"])
        elif param in {"code"}:
            values[param] = seeded[name.removeprefix("v1:").rsplit("-", 1)[0]]
        elif param in {"analysis", "event", "deadline", "order", "task", "task_id", "doc", "run"}:
            values[param] = seeded[param]
        elif param == "track":
            values[param] = "status"
        elif param == "to":
            values[param] = "analysis"
        elif param == "account":
            values[param] = 0
        elif param == "format":
            values[param] = "json"
        elif param == "url":
            values[param] = "no-such-page/"
        elif param == "app_label":
            values[param] = "cases"
        elif param in {"object_id", "content_type_id", "id"}:
            values[param] = "1"
        else:
            raise AssertionError(f"{name}: no value for path parameter {param!r}: add one to kwargs_for")
    return values


@pytest.fixture
def clients(seeded, intake_user, counsel_user, viewer_user, outsider_user, api_user, admin_user_):
    """persona -> a function making that persona's client (a logout ends a session)."""
    users = {
        "intake": intake_user,
        "counsel": counsel_user,
        "viewer": viewer_user,
        "outsider": outsider_user,
        "staff": admin_user_,
    }
    keys = {
        persona: ApiToken.issue(user=api_user, name=persona, scope=scope)[1]
        for persona, scope in [("ro_token", "read"), ("rw_token", "read-write")]
    }

    def make(persona: str) -> Client:
        if persona in keys:
            return Client(raise_request_exception=False, headers={"Authorization": f"Token {keys[persona]}"})
        client = Client(raise_request_exception=False)
        if persona in users:
            client.force_login(users[persona])
        return client

    return make


def url_for(name: str, params: list[str], route: str, seeded: dict) -> str:
    kwargs = kwargs_for(name, params, seeded)
    if "<unnamed" not in name:
        positional = len(re.findall(r"\((?!\?)", route))  # simple_history's ([^/]+) groups
        if positional and not kwargs:
            return reverse(name, args=["1"] * positional)
        return reverse(name, kwargs=kwargs) + QUERY.get(name, "")
    # The admin's unnamed patterns: an object's old-style URL, and its catch-all.
    path = re.sub(r"\(\?P<url>\.\*\)\$?", "no-such-page/", route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def matches(expected, response) -> bool:
    status = response.status_code
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        return status == 302 and location.startswith("/login/?next=")
    if expected == ANY_LOGIN:
        return status == 302 and location.startswith(("/login/?next=", "/admin/login/?next="))
    if expected == ADMIN_LOGIN:
        return status == 302 and location.startswith("/admin/login/")
    if expected == "staff ok":
        return status < 500 and not location.startswith(("/login/", "/admin/login/")) and status != 403
    if isinstance(expected, tuple):
        return status in expected
    return status == expected


def test_every_url_pattern_has_an_access_rule():
    names = {name for name, *_ in walk(get_resolver())}
    missing = sorted(n for n in names if n not in RULES and not n.startswith("admin:"))
    assert not missing, f"new page without an access rule: {missing} (add rows to RULES in {__file__})"
    stale = sorted(set(RULES) - names)
    assert not stale, f"rules for URL names that no longer exist: {stale}"


def test_access_matrix(seeded, clients):
    """Every URL x persona x method against RULES (admin: staff only)."""
    failures: list[str] = []
    tried = 0
    sessions = {persona: clients(persona) for persona in PERSONAS}
    patterns = walk(get_resolver())
    for name, params, route in patterns:
        if name.startswith("admin:"):
            staff = 403 if name in ADMIN_REFUSED_TO_STAFF else "staff ok"
            rule = ADMIN_RULES.get(name, {"get": ADMIN_STAFF | {"staff": staff}})
        else:
            rule = RULES.get(name)
            if rule is None:
                failures.append(f"{name}: new page without an access rule")
                continue
        url = url_for(name, params, route, seeded)
        for method in ("get", "post"):
            if name.startswith("admin:") and method == "post":
                continue  # the admin's writes: tests/test_hardening.py
            expected_by_persona = rule.get(method)
            for persona in PERSONAS:
                ends_session = name in ("logout", "admin:logout")
                client = clients(persona) if ends_session else sessions[persona]
                if method == "post" and url.startswith("/api/"):
                    response = client.post(url, data="{}", content_type="application/json")
                else:
                    response = getattr(client, method)(url)
                tried += 1
                if expected_by_persona is None:
                    # Not a POST view: a POST must not get through either.
                    ok = response.status_code in (302, 401, 403, 404, 405) and response.status_code < 500
                    expected = "refused (302/401/403/404/405)"
                else:
                    expected = expected_by_persona[persona]
                    ok = matches(expected, response)
                if not ok:
                    failures.append(
                        f"{method.upper()} {url} ({name}) as {persona}: expected {expected}, "
                        f"got {response.status_code} {response.headers.get('Location', '')}"
                    )
                if persona in ("staff", "counsel"):
                    client.cookies.pop("messages", None)
    print(f"\naccess matrix: {len(patterns)} URL patterns, {tried} requests")
    assert not failures, f"{len(failures)} access rule(s) broken:\n" + "\n".join(failures)
