"""The catalogue in the admin: the RULES.md v3 fields are shown and edited, and
authority ids are checked against the catalogue files before an edit is saved."""

import pytest
from django.urls import reverse

from jurisdictions.models import CatalogueVersion, ConflictRule, Court, DoctrinePeriod, LegalInstrument


@pytest.fixture
def admin_client(client, admin_user_, catalogue):
    client.force_login(admin_user_)
    return client


def _form_data(response) -> dict:
    """The change form's current values, as the browser would post them back."""
    from django.forms import CheckboxInput, SelectMultiple

    data: dict = {}
    for bound in response.context["adminform"].form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, CheckboxInput):
            if value:
                data[bound.name] = "on"
        elif isinstance(widget, SelectMultiple) or (
            hasattr(widget, "widget") and isinstance(widget.widget, SelectMultiple)
        ):
            data[bound.name] = [str(v) for v in value or []]
        else:
            data[bound.name] = "" if value is None else str(value)
    return data


def test_instrument_change_form_shows_the_v3_fields(admin_client):
    instrument = LegalInstrument.objects.get(code="US-SCA-PRESERVATION")
    response = admin_client.get(reverse("admin:jurisdictions_legalinstrument_change", args=[instrument.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for name in (
        "kind",
        "preservation_period",
        "objection_period",
        "group_control",
        "control_authorities",
        "pending_rule",
        "pending_cutoff",
        "pending_citation",
        "to_confirm",
    ):
        assert f'name="{name}"' in body, name
    listing = admin_client.get(reverse("admin:jurisdictions_legalinstrument_changelist") + "?kind__exact=preservation")
    assert "US-SCA-PRESERVATION" in listing.content.decode() and "US-SCA-WARRANT" not in listing.content.decode()


@pytest.mark.parametrize(
    "model, field",
    [(DoctrinePeriod, "authorities"), (DoctrinePeriod, "note"), (ConflictRule, "except_authorities"), (Court, "state")],
)
def test_other_change_forms_show_their_v3_fields(admin_client, model, field):
    row = model.objects.order_by("pk").first()
    response = admin_client.get(reverse(f"admin:jurisdictions_{model._meta.model_name}_change", args=[row.pk]))
    assert f'name="{field}"' in response.content.decode()


def test_an_unknown_authority_id_is_refused_before_saving(admin_client):
    row = DoctrinePeriod.objects.exclude(authorities=[]).order_by("position").first()
    url = reverse("admin:jurisdictions_doctrineperiod_change", args=[row.pk])
    data = _form_data(admin_client.get(url))
    versions = CatalogueVersion.objects.count()
    for bad, message in (
        ('["US-NOWHERE-2099-01-01"]', "Unknown authority id(s): US-NOWHERE-2099-01-01"),
        ('"US-CLOUD-ACT-2018-03-23"', "A list of authority ids"),
        ('["US-SCOTUS-2018-04-17", "US-CLOUD-ACT-2018-03-23"]', "in date order"),
    ):
        response = admin_client.post(url, {**data, "authorities": bad})
        assert response.status_code == 200, bad  # the form again, with the error
        assert message in response.content.decode()
    assert CatalogueVersion.objects.count() == versions
    assert DoctrinePeriod.objects.get(pk=row.pk).authorities == row.authorities


def test_a_preservation_instrument_needs_its_period(admin_client):
    instrument = LegalInstrument.objects.get(code="US-SCA-PRESERVATION")
    url = reverse("admin:jurisdictions_legalinstrument_change", args=[instrument.pk])
    data = _form_data(admin_client.get(url))
    data["preservation_period"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "A preservation instrument needs its preservation period." in response.content.decode()
    assert LegalInstrument.objects.get(pk=instrument.pk).preservation_period_id == instrument.preservation_period_id


def test_editing_a_v3_field_records_a_new_version(admin_client, django_capture_on_commit_callbacks):
    court = Court.objects.get(name="S.D.N.Y.")
    url = reverse("admin:jurisdictions_court_change", args=[court.pk])
    data = _form_data(admin_client.get(url))
    before = CatalogueVersion.objects.latest().number
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {**data, "state": "NJ"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Court.objects.get(pk=court.pk).state == "NJ"
    assert CatalogueVersion.objects.latest().number == before + 1
