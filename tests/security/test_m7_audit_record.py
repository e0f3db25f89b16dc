"""Finding M7 (a): a row deleted through an inline of the admin names its author in
the audit history, as every other change does.

The inline's history took its author only from HistoryRequestMiddleware's
thread-local request; the admin now names it on the inline's instances itself
(requests_app/admin.py, InlineAuthorAdmin), so it no longer depends on that."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from cases.history import audit_history
from cases.models import Case
from requests_app.models import Holding, NondisclosureOrder

MIDDLEWARE = "simple_history.middleware.HistoryRequestMiddleware"


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", stdout=io.StringIO())


def _value(value):
    return "" if value is None else getattr(value, "pk", value)


def _delete_inline_row(client, url: str, prefix: str, row) -> None:
    """POST the admin change page back as shown, with `row` ticked for deletion."""
    page = client.get(url)
    assert page.status_code == 200
    data = {name: _value(value) for name, value in page.context["adminform"].form.initial.items()}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        for form in formset.initial_forms:
            data.update({form.add_prefix(name): _value(form.initial.get(name)) for name in form.fields})
            data[form.add_prefix("id")] = form.instance.pk
            if formset.prefix == prefix and form.instance.pk == row.pk:
                data[form.add_prefix("DELETE")] = "on"
    assert any(key.endswith("-DELETE") for key in data), f"no inline row {row.pk} under {prefix}"
    response = client.post(url, {k: v for k, v in data.items() if k != "document"})
    assert response.status_code == 302, response.context and response.context.get("errors")


def _case_with_holdings():
    case = Case.objects.filter(demand__accounts__holdings__isnull=False).distinct().first()
    account = case.demand.accounts.filter(holdings__isnull=False).first()
    return case, account, account.holdings.first()


def test_settings_keep_the_history_middleware():
    """Views, the API and actions outside the admin still rely on it."""
    assert MIDDLEWARE in settings.MIDDLEWARE


@pytest.mark.parametrize("with_middleware", [True, False], ids=["with-middleware", "without-middleware"])
def test_a_holding_deleted_on_the_account_page_names_the_admin(
    demo, admin_user_, client, settings, django_capture_on_commit_callbacks, with_middleware
):
    if not with_middleware:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    case, account, holding = _case_with_holdings()
    client.force_login(admin_user_)
    with django_capture_on_commit_callbacks(execute=True):  # the re-analysis the deletion schedules
        _delete_inline_row(
            client, reverse("admin:requests_app_targetaccount_change", args=[account.pk]), "holdings", holding
        )

    assert not Holding.objects.filter(pk=holding.pk).exists()
    deleted = Holding.history.get(id=holding.pk, history_type="-")
    assert deleted.history_user == admin_user_
    # ... and the case's audit history (its page and export) says who deleted it.
    entries = [e for e in audit_history(case) if e.source == "holding" and e.action == "deleted"]
    assert [(e.object_id, e.by) for e in entries] == [(holding.pk, admin_user_)]
    page = client.get(reverse("cases:detail", args=[case.pk]))
    shown = [h for h in page.context["history"] if h["action"] == "deleted" and h["what"].startswith("Holding")]
    assert [h["who"] for h in shown] == [admin_user_]


def test_an_order_deleted_on_the_demand_page_names_the_admin(demo, admin_user_, client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    order = NondisclosureOrder.objects.first()
    client.force_login(admin_user_)
    _delete_inline_row(
        client, reverse("admin:requests_app_demand_change", args=[order.demand_id]), "nondisclosure_orders", order
    )
    assert NondisclosureOrder.history.get(id=order.pk, history_type="-").history_user == admin_user_
