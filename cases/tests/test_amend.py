"""Correcting a logged demand's facts (`amend_demand`), and its edit page: every kind of
change said in words on one timeline event, the rows' history, the re-analysis, the
sign-off voided, and each refusal leaving nothing written."""

import datetime as dt
import io

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from accounts.api import ConflictingChange
from cases import actions
from cases.models import Analysis, Case, CaseEvent, Notification, ReminderKind
from jurisdictions.models import ControllingEntity, DataLocation, Jurisdiction, LegalInstrument
from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount

PRESERVATION = "PRES-WDWA-2026-0311"  # one account: content in Dublin, subscriber in Quincy
COPO = "COPO-2026-0142"  # two accounts
MICROSOFT = "Microsoft Corporation"
MOVED_TO_SAN_ANTONIO = (
    "Holding 1 of preserve.me@example.com: stored in IE (Dublin (North Europe)) → US (San Antonio, Texas (US South))"
)


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def counsel(demo):
    return get_user_model().objects.get(username="counsel")


def case_of(reference: str) -> Case:
    return Case.objects.select_related("demand").get(demand__reference=reference)


def place(name: str) -> DataLocation:
    return DataLocation.objects.get(name__startswith=name)


def on_file(case: Case) -> list[actions.AccountToLog]:
    """The demand's accounts and holdings as stored, to correct and hand back."""
    return [
        actions.AccountToLog(account=account, holdings=list(account.holdings.order_by("pk")))
        for account in TargetAccount.objects.filter(demand=case.demand).order_by("pk")
    ]


def amend(case: Case, by, *, capture=None, reason="Intake typed it wrong.", **changes) -> CaseEvent:
    case.refresh_from_db()
    if capture is None:
        return actions.amend_demand(case=case, reason=reason, by=by, expected_version=case.version, **changes)
    with capture(execute=True):  # the re-analysis runs after commit, in-process
        return actions.amend_demand(case=case, reason=reason, by=by, expected_version=case.version, **changes)


def sign_off(case: Case, by) -> Analysis:
    latest = case.analyses.newest_first().first()
    case.refresh_from_db()
    actions.sign_off_analysis(case=case, analysis_id=latest.pk, note="Checked.", by=by, expected_version=case.version)
    latest.refresh_from_db()
    return latest


# --- Each kind of change ----------------------------------------------------------------


def test_a_corrected_storage_location_changes_the_answer_and_voids_the_sign_off(
    counsel, django_capture_on_commit_callbacks
):
    case = case_of(PRESERVATION)
    signed = sign_off(case, counsel)
    assert signed.sign_off_stands
    version = case_of(PRESERVATION).version
    accounts = on_file(case)
    accounts[0].holdings[0].data_location = place("San Antonio")

    event = amend(case, counsel, capture=django_capture_on_commit_callbacks, accounts=accounts)

    assert event.kind == "demand_amended" and event.by == counsel
    assert event.note == (
        "Facts amended: Holding 1 of preserve.me@example.com: stored in IE (Dublin (North Europe)) → "
        "US (San Antonio, Texas (US South)). Reason: Intake typed it wrong."
    )
    assert event.data["changes"] == [MOVED_TO_SAN_ANTONIO]
    assert event.data["amended"]["accounts"] == [
        {
            "account": "preserve.me@example.com",
            "change": "changed",
            "holdings": [
                {
                    "holding": 1,
                    "change": "changed",
                    "fields": {
                        "data_location": {
                            "old": {"name": "Dublin (North Europe)", "country": "IE"},
                            "new": {"name": "San Antonio, Texas (US South)", "country": "US"},
                        }
                    },
                }
            ],
        }
    ]
    assert CaseEvent.objects.filter(case=case, kind="demand_amended").count() == 1
    case.refresh_from_db()
    assert case.version == version + 1
    # The holding was changed in place, with its history naming counsel.
    holding = Holding.objects.get(pk=accounts[0].holdings[0].pk)
    assert holding.data_location == place("San Antonio")
    assert holding.history.latest().history_user == counsel
    # The re-analysis: the content is now stored in the issuing country, reached there.
    latest = case.analyses.newest_first().first()
    assert latest.pk != signed.pk and latest.signed_off_at is None
    content = next(i for i in latest.result["items"] if i["category"] == "content")
    assert (content["storage"], content["reach"]) == ("US", "storage")
    changed = CaseEvent.objects.get(case=case, kind="analysis_changed")
    assert "Re-analysis (facts amended)" in changed.note and changed.by == counsel
    # The sign-off of the answer that no longer stands is voided, and says why.
    signed.refresh_from_db()
    assert not signed.sign_off_stands
    assert signed.sign_off_voided_reason.startswith("the facts were amended: Holding 1 of preserve.me@example.com")
    assert event.data["sign_off_voided"] == signed.pk


def test_the_demands_own_fields_are_corrected_in_words(counsel, django_capture_on_commit_callbacks):
    case = case_of(PRESERVATION)
    demand = case.demand
    event = amend(
        case,
        counsel,
        capture=django_capture_on_commit_callbacks,
        facts={
            "served_at": dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC),
            "received_at": dt.datetime(2026, 11, 24, 18, 30, tzinfo=dt.UTC),
            "issuing_authority": "FBI Seattle",
            "emergency": True,
            "extended": True,
            "due_at": None,
            "served_entity": ControllingEntity.objects.get(name=MICROSOFT),  # unchanged: not listed
        },
    )
    assert event.data["changes"] == [
        'issuing authority "Federal Bureau of Investigation, Seattle Field Office" → "FBI Seattle"',
        "served at 2026-11-24 17:00 UTC → 2026-11-24 18:00 UTC",
        "received at 2026-11-24 17:00 UTC → 2026-11-24 18:30 UTC",
        "emergency no → yes",
        "preservation extended no → yes",
    ]
    assert event.data["amended"]["demand"]["served_at"] == {
        "old": "2026-11-24T17:00:00+00:00",
        "new": "2026-11-24T18:00:00+00:00",
    }
    demand.refresh_from_db()
    assert (demand.issuing_authority, demand.emergency, demand.extended) == ("FBI Seattle", True, True)
    # Now an emergency: its counsel is told at once, as when one is logged.
    assert Notification.objects.filter(case=case, user__username="counsel", kind=ReminderKind.EMERGENCY).exists()
    assert demand.history.latest().history_user == counsel
    assert demand.reference == PRESERVATION


def test_a_new_instrument_changes_the_kind_of_request(counsel, django_capture_on_commit_callbacks):
    case = case_of(PRESERVATION)
    assert case.analyses.newest_first().first().result["kind"] == "preservation"
    event = amend(
        case,
        counsel,
        capture=django_capture_on_commit_callbacks,
        facts={"instrument": LegalInstrument.objects.get(code="US-SCA-WARRANT")},
    )
    # The request kind follows the instrument (issue 19: request kinds).
    assert event.data["changes"] == [
        "instrument US-SCA-PRESERVATION → US-SCA-WARRANT",
        'request kind "preservation" → "compulsory"',
    ]
    assert case.analyses.newest_first().first().result["kind"] == "production"


def test_accounts_are_added_removed_and_corrected(counsel, django_capture_on_commit_callbacks):
    case = case_of(COPO)
    first, second = on_file(case)
    first.account.residence = Jurisdiction.objects.get(code="IE")
    first.account.us_person = None
    first.holdings[1].category = "traffic"  # subscriber → traffic
    first.holdings[0].controlled_by = ControllingEntity.objects.get(name="Microsoft Limited")
    added = actions.AccountToLog(
        account=TargetAccount(identifier="third@example.com", service="Outlook.com"),
        holdings=[
            Holding(category="content", data_location=place("London"), controlled_by=first.holdings[0].controlled_by)
        ],
    )
    removed_holdings = [h.pk for h in second.holdings]

    event = amend(case, counsel, capture=django_capture_on_commit_callbacks, accounts=[first, added])

    assert event.data["changes"] == [
        "Account us.contact@example.org removed, with its 1 holding",
        "Account suspect.one@example.net: US person no → unknown; residence GB → IE",
        "Holding 1 of suspect.one@example.net: controlled by Microsoft Corporation → Microsoft Limited",
        "Holding 2 of suspect.one@example.net: category subscriber → traffic",
        "Account third@example.com added: content stored in GB (London (UK South)), controlled by Microsoft Limited",
    ]
    accounts = list(TargetAccount.objects.filter(demand=case.demand).order_by("pk"))
    assert [a.identifier for a in accounts] == ["suspect.one@example.net", "third@example.com"]
    assert accounts[0].residence_id == "IE" and accounts[0].us_person is None
    assert not Holding.objects.filter(pk__in=removed_holdings).exists()
    deleted = Holding.history.filter(id__in=removed_holdings, history_type="-").get()
    assert deleted.history_user == counsel
    assert TargetAccount.history.filter(identifier="third@example.com", history_type="+").get().history_user == counsel
    items = case.analyses.newest_first().first().result["items"]
    assert {(i["account"], i["category"]) for i in items} == {
        ("suspect.one@example.net", "content"),
        ("suspect.one@example.net", "traffic"),
        ("third@example.com", "content"),
    }


def test_without_row_ids_holdings_are_matched_by_place_then_by_position(counsel):
    """As the API sends them: a holding at the same category and place is the same one;
    the rest are corrected in the order given."""
    case = case_of(PRESERVATION)
    (entry,) = on_file(case)
    quincy = place("Quincy")
    account = TargetAccount(identifier=entry.account.identifier, service=entry.account.service)
    holdings = [
        Holding(category="subscriber", data_location=quincy, controlled_by=entry.holdings[1].controlled_by),
        Holding(category="content", data_location=quincy, controlled_by=entry.holdings[0].controlled_by),
    ]
    event = amend(case, counsel, accounts=[actions.AccountToLog(account=account, holdings=holdings)])
    assert event.data["changes"] == [
        "Holding 1 of preserve.me@example.com: stored in IE (Dublin (North Europe)) → US (Quincy, Washington (US West))"
    ]
    assert sorted(Holding.objects.filter(account=entry.account).values_list("pk", flat=True)) == sorted(
        h.pk for h in entry.holdings
    )


def test_a_holding_is_added_and_another_removed_as_the_page_sends_them(counsel):
    """With the ids of the rows the page was drawn from: the one left out is removed."""
    case = case_of(PRESERVATION)
    (entry,) = on_file(case)
    content, subscriber = entry.holdings
    traffic = Holding(category="traffic", data_location=place("London"), controlled_by=content.controlled_by)
    event = amend(case, counsel, accounts=[actions.AccountToLog(account=entry.account, holdings=[content, traffic])])
    assert event.data["changes"] == [
        "Holding 2 of preserve.me@example.com removed: subscriber stored in US (Quincy, Washington (US West)), "
        "controlled by Microsoft Corporation",
        "Holding added to preserve.me@example.com: traffic stored in GB (London (UK South)), "
        "controlled by Microsoft Corporation",
    ]
    rows = list(Holding.objects.filter(account=entry.account).order_by("pk"))
    assert rows[0].pk == content.pk and [h.category for h in rows] == ["content", "traffic"]
    assert not Holding.objects.filter(pk=subscriber.pk).exists()


def test_the_nondisclosure_order_is_added_corrected_and_removed(counsel):
    case = case_of(COPO)
    event = amend(
        case,
        counsel,
        orders=[
            NondisclosureOrder(
                basis="Crime (Overseas Production Orders) Act 2019, s. 8", starts_on=dt.date(2026, 10, 22)
            )
        ],
    )
    assert event.data["changes"] == [
        "Nondisclosure order added: Crime (Overseas Production Orders) Act 2019, s. 8 from 2026-10-22 until no end date"
    ]
    order = NondisclosureOrder.objects.get(demand=case.demand)
    assert order.history.latest().history_user == counsel

    corrected = NondisclosureOrder(
        pk=order.pk, basis=order.basis, starts_on=order.starts_on, expires_on=dt.date(2027, 10, 22)
    )
    event = amend(case, counsel, orders=[corrected])
    assert event.data["changes"] == [
        "Nondisclosure order Crime (Overseas Production Orders) Act 2019, s. 8: expires none → 2027-10-22"
    ]
    order.refresh_from_db()
    assert order.expires_on == dt.date(2027, 10, 22)

    event = amend(case, counsel, orders=[])
    assert event.data["changes"][0].startswith("Nondisclosure order removed:")
    assert not NondisclosureOrder.objects.filter(demand=case.demand).exists()
    assert NondisclosureOrder.history.filter(id=order.pk, history_type="-").get().history_user == counsel


def test_intake_corrects_a_case_it_has_not_seen_analysed(demo):
    """Before its first analysis (the case still in intake) the clerk may correct it."""
    intake = get_user_model().objects.get(username="intake")
    demand = Demand.objects.get(reference=COPO)
    case = actions.log_demand(
        demand=Demand(
            reference="NEW-1",
            instrument=demand.instrument,
            issuing_jurisdiction=demand.issuing_jurisdiction,
            issuing_authority="Met",
            served_entity=demand.served_entity,
            served_at=demand.served_at,
        ),
        accounts=[
            actions.AccountToLog(
                account=TargetAccount(identifier="a@example.com"),
                holdings=[
                    Holding(category="content", data_location=place("Dublin"), controlled_by=demand.served_entity)
                ],
            )
        ],
        by=intake,
        via="in a test",
    )  # no analysis yet: it runs after commit, which this test does not reach
    event = amend(case, intake, facts={"issuing_authority": "Metropolitan Police Service"})
    assert event.by == intake
    with pytest.raises(PermissionDenied, match="only counsel"):
        amend(case_of(COPO), intake, facts={"issuing_authority": "Met"})


# --- Refusals: each one writes nothing -------------------------------------------------


def _snapshot(case: Case) -> tuple:
    return (
        Case.objects.get(pk=case.pk).version,
        CaseEvent.objects.filter(case=case).count(),
        list(
            Holding.objects.filter(account__demand=case.demand)
            .order_by("pk")
            .values_list("pk", "category", "data_location")
        ),
        list(TargetAccount.objects.filter(demand=case.demand).values_list("pk", "identifier")),
        Demand.history.filter(id=case.demand_id).count(),
        Holding.history.count(),
        TargetAccount.history.count(),
        Analysis.objects.filter(case=case, sign_off_voided_at__isnull=False).count(),
    )


def test_a_bad_holding_leaves_nothing_half_written(counsel):
    case = case_of(COPO)
    sign_off(case, counsel)
    before = _snapshot(case)
    first, second = on_file(case)
    first.holdings[0].data_location = place("Dublin")  # a good change on the first account...
    first.account.identifier = "renamed@example.net"
    second.holdings.append(
        Holding(category="bogus", data_location=None, controlled_by=second.holdings[0].controlled_by)
    )
    with pytest.raises(ValidationError) as refused:
        amend(case, counsel, accounts=[first, second])  # ...and a bad one on the second
    assert "accounts[1].holdings[1].category" in refused.value.message_dict
    assert _snapshot(case) == before


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"accounts": []}, "accounts"),
        ({"facts": {"issuing_jurisdiction": "GB"}}, "issuing_jurisdiction"),
        ({"facts": {"received_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC)}}, "received_at"),
        ({"facts": {"served_at": dt.datetime(2099, 1, 1, tzinfo=dt.UTC)}}, "served_at"),
        ({"facts": {"extended": True, "instrument": "US-SCA-WARRANT"}}, "extended"),
        ({"facts": {"issuing_authority": ""}}, "issuing_authority"),
        ({"facts": {"reference": "ANOTHER-1"}}, "reference"),
        ({"facts": {"created_by": None}}, "created_by"),
    ],
)
def test_a_fact_breaking_a_rule_of_intake_is_refused_by_its_field(counsel, changes, field):
    case = case_of(PRESERVATION)
    changes = {**changes, "facts": dict(changes.get("facts", {}))} if "facts" in changes else changes
    facts = changes.get("facts", {})
    if facts.get("issuing_jurisdiction"):
        facts["issuing_jurisdiction"] = Jurisdiction.objects.get(code=facts["issuing_jurisdiction"])
    if facts.get("instrument"):
        facts["instrument"] = LegalInstrument.objects.get(code=facts["instrument"])
    before = _snapshot(case)
    with pytest.raises(ValidationError) as refused:
        amend(case, counsel, **changes)
    assert field in refused.value.message_dict, refused.value.message_dict
    assert _snapshot(case) == before


def test_the_same_reference_is_no_change_and_nothing_to_change_is_refused(counsel):
    case = case_of(PRESERVATION)
    before = _snapshot(case)
    with pytest.raises(ValidationError, match="Nothing to amend"):
        amend(
            case,
            counsel,
            facts={"reference": PRESERVATION, "emergency": False},
            accounts=on_file(case),
            orders=list(case.demand.nondisclosure_orders.all()),
        )
    assert _snapshot(case) == before


def test_a_blank_reason_is_refused(counsel):
    case = case_of(PRESERVATION)
    with pytest.raises(ValidationError) as refused:
        amend(case, counsel, reason="  ", facts={"emergency": True})
    assert list(refused.value.message_dict) == ["reason"]
    assert not CaseEvent.objects.filter(kind="demand_amended").exists()


def test_a_stale_version_is_refused(counsel):
    case = case_of(PRESERVATION)
    with pytest.raises(ConflictingChange, match="changed by someone else"):
        actions.amend_demand(
            case=case, facts={"emergency": True}, reason="x", by=counsel, expected_version=case.version - 1
        )
    assert not Demand.objects.get(pk=case.demand_id).emergency


def test_a_closed_case_refuses_it(counsel):
    case = case_of("13-MAG-2814")  # the replay closes it as moot
    assert case.is_closed
    with pytest.raises(ValidationError) as refused:
        amend(case, counsel, facts={"emergency": True})
    assert "closed" in refused.value.message_dict["case"][0]


def test_a_viewer_never_corrects_facts(counsel, viewer_user):
    with pytest.raises(PermissionDenied):
        amend(case_of(PRESERVATION), viewer_user, facts={"emergency": True})


def test_the_demand_cannot_be_served_after_a_step_of_its_case(counsel):
    case = case_of(PRESERVATION)
    actions.record_event(
        case=case, kind="motion_filed", occurred_on=dt.date(2026, 11, 25), by=counsel, expected_version=case.version
    )
    with pytest.raises(ValidationError) as refused:
        amend(
            case,
            counsel,
            facts={
                "served_at": dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC),
                "received_at": dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC),
            },
        )
    assert "2026-11-25" in refused.value.message_dict["served_at"][0]


# --- The edit page ------------------------------------------------------------------------


def _posted(bound) -> str | None:
    """A field's value as the browser posts it (None: not posted)."""
    value = bound.value()
    if value is None or value is False or value == "":
        return None
    if value is True:
        return "on"
    if isinstance(value, dt.date):
        return bound.field.widget.format_value(value)
    return str(value)


def _form_data(page) -> dict:
    """The page's forms as a browser would post them, untouched."""
    form = page.context["form"]
    data = {}
    forms = [form.demand, form.ndo, form.reason, form.accounts.management_form]
    for account, holdings in zip(form.accounts.forms, form.holdings, strict=True):
        forms += [account, holdings.management_form, *holdings.forms]
    for f in forms:
        for bound in f:
            if bound.name != "document" and (value := _posted(bound)) is not None:
                data[bound.html_name] = value
    return data


def test_the_page_shows_the_facts_on_file_and_corrects_them(client, counsel, django_capture_on_commit_callbacks):
    case = case_of(PRESERVATION)
    signed = sign_off(case, counsel)
    client.force_login(counsel)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="amend-link"' in detail
    page = client.get(reverse("cases:amend", args=[case.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "preserve.me@example.com" in body and "Reason for the correction" in body
    assert f'name="expected_version" value="{case_of(PRESERVATION).version}"' in body
    data = _form_data(page)
    assert data["served_at"] == "2026-11-24T17:00" and data["instrument"] == "US-SCA-PRESERVATION"
    assert data["accounts-0-holdings-0-data_location"] == str(place("Dublin").pk)

    data["accounts-0-holdings-0-data_location"] = str(place("San Antonio").pk)
    data["reason"] = "The data map says San Antonio."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:amend", args=[case.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].error_count
    event = CaseEvent.objects.get(case=case, kind="demand_amended")
    assert event.data["changes"] == [MOVED_TO_SAN_ANTONIO]
    signed.refresh_from_db()
    assert signed.sign_off_voided_at is not None
    detail = client.get(response["Location"]).content.decode()
    assert "Facts amended" in detail and 'id="sign-off-form"' in detail


def test_the_page_keeps_what_was_typed_and_shows_each_error_at_its_field(client, counsel):
    case = case_of(PRESERVATION)
    client.force_login(counsel)
    data = _form_data(client.get(reverse("cases:amend", args=[case.pk])))
    data.update(
        {
            "received_at": "2026-11-01T09:00",  # before it was served
            "issuing_authority": "Typed by counsel",
            "accounts-0-holdings-1-controlled_by": "",
            "reason": "",
        }
    )
    response = client.post(reverse("cases:amend", args=[case.pk]), data)
    assert response.status_code == 422
    form = response.context["form"]
    assert "Received before it was served" in form.demand.errors["received_at"][0]
    assert form.reason.errors["reason"]
    assert form.holdings[0].forms[1].errors["controlled_by"]
    body = response.content.decode()
    assert 'value="Typed by counsel"' in body and 'value="2026-11-01T09:00"' in body
    assert not CaseEvent.objects.filter(case=case, kind="demand_amended").exists()


def test_the_page_shows_the_actions_refusal(client, counsel):
    """Nothing changed: refused by the action, said above the form."""
    case = case_of(PRESERVATION)
    client.force_login(counsel)
    data = _form_data(client.get(reverse("cases:amend", args=[case.pk])))
    data["reason"] = "Just checking."
    response = client.post(reverse("cases:amend", args=[case.pk]), data)
    assert response.status_code == 422
    assert "Nothing to amend" in response.content.decode()


def test_a_stale_page_says_so_and_keeps_the_typing_at_the_fresh_version(client, counsel):
    case = case_of(PRESERVATION)
    client.force_login(counsel)
    data = _form_data(client.get(reverse("cases:amend", args=[case.pk])))
    amend(case, counsel, facts={"emergency": True})  # someone else, meanwhile
    data.update({"issuing_authority": "FBI Seattle", "reason": "Shorter name."})
    response = client.post(reverse("cases:amend", args=[case.pk]), data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body and 'id="on-file"' in body
    assert 'value="FBI Seattle"' in body
    fresh = case_of(PRESERVATION).version
    assert f'name="expected_version" value="{fresh}"' in body
    # Sent again at the fresh version, it goes through.
    data["expected_version"] = str(fresh)
    assert client.post(reverse("cases:amend", args=[case.pk]), data).status_code == 302


@pytest.mark.parametrize("persona", ["viewer_user", "api_user", "outsider_user"])
def test_the_page_is_refused_to_other_roles(client, request, counsel, persona):
    case = case_of(PRESERVATION)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("cases:amend", args=[case.pk])).status_code == 403
    assert client.post(reverse("cases:amend", args=[case.pk]), {"reason": "x"}).status_code == 403
    if persona == "viewer_user":
        assert 'id="amend-link"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_intake_may_not_correct_an_analysed_case_on_the_page(client, counsel, intake_user):
    case = case_of(PRESERVATION)
    client.force_login(intake_user)
    response = client.get(reverse("cases:amend", args=[case.pk]))
    assert response.status_code == 403
    assert "only counsel may correct its facts now" in response.content.decode()
    assert client.post(reverse("cases:amend", args=[case.pk]), {"reason": "x"}).status_code == 403
    assert 'id="amend-link"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_a_closed_case_sends_counsel_back_to_its_file(client, counsel):
    case = case_of("13-MAG-2814")
    client.force_login(counsel)
    response = client.get(reverse("cases:amend", args=[case.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert 'id="amend-link"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_the_export_lists_the_amendment(client, counsel):
    case = case_of(PRESERVATION)
    amend(case, counsel, facts={"emergency": True})
    client.force_login(counsel)
    record = client.get(reverse("cases:export_json", args=[case.pk])).json()
    (event,) = [e for e in record["events"] if e["kind"] == "demand_amended"]
    assert event["data"]["changes"] == ["emergency no → yes"] and event["by"]
    memo = client.get(reverse("cases:memo_pdf", args=[case.pk]))
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(memo.content)).pages)
    assert "Facts amended Facts amended: Emergency no → yes. Reason: Intake typed it wrong. counsel" in text


def test_the_page_replaces_the_warrant_document(client, counsel, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = case_of(PRESERVATION)
    client.force_login(counsel)
    data = _form_data(client.get(reverse("cases:amend", args=[case.pk])))
    data["reason"] = "The signed warrant arrived."
    from tests.security.pdfs import clean_pdf

    data["document"] = SimpleUploadedFile("warrant.pdf", clean_pdf(), content_type="application/pdf")
    assert client.post(reverse("cases:amend", args=[case.pk]), data).status_code == 302
    demand = Demand.objects.get(pk=case.demand_id)
    assert demand.document.name.endswith(".pdf") and demand.document.read().startswith(b"%PDF-")
    event = CaseEvent.objects.get(case=case, kind="demand_amended")
    assert event.data["changes"] == ['document none → "warrant.pdf"'] or event.data["changes"][0].startswith(
        "document none → "
    )
    data["document"] = SimpleUploadedFile("x.pdf", b"GIF89a", content_type="application/pdf")
    data["expected_version"] = str(case_of(PRESERVATION).version)
    response = client.post(reverse("cases:amend", args=[case.pk]), data)
    assert response.status_code == 422 and response.context["form"].demand.errors["document"]


def test_intake_opens_the_page_until_the_first_analysis(client, demo):
    intake = get_user_model().objects.get(username="intake")
    demand = Demand.objects.get(reference=COPO)
    case = actions.log_demand(
        demand=Demand(
            reference="NEW-2",
            instrument=demand.instrument,
            issuing_jurisdiction=demand.issuing_jurisdiction,
            issuing_authority="Met",
            served_entity=demand.served_entity,
            served_at=demand.served_at,
        ),
        accounts=[
            actions.AccountToLog(
                account=TargetAccount(identifier="a@example.com"),
                holdings=[Holding(category="content", data_location=None, controlled_by=demand.served_entity)],
            )
        ],
        by=intake,
        via="in a test",
    )
    client.force_login(intake)
    assert 'id="amend-link"' in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert client.get(reverse("cases:amend", args=[case.pk])).status_code == 200
