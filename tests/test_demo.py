"""The demo data loader: idempotent, prints the logins, analyses the demo cases."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Analysis, Case, CaseEvent
from requests_app.models import Demand, Holding, TargetAccount


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (get_user_model(), Demand, TargetAccount, Holding, Case, Analysis, CaseEvent)
    }


def test_demo_loader_is_idempotent_and_prints_logins(catalogue):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    first = counts()
    call_command("load_demo", stdout=out)
    assert counts() == first
    assert first["Case"] >= 4 and first["Holding"] >= 8
    for username in ("intake", "counsel", "viewer", "api-client"):
        assert f"  {username} " in out.getvalue()
        assert get_user_model().objects.get(username=username).groups.filter(name__in=[username]).exists()


def test_microsoft_ireland_case_has_stored_analyses(catalogue):
    call_command("load_demo", stdout=io.StringIO())
    case = Case.objects.get(demand__reference="13-MAG-2814")
    doctrines = list(case.analyses.order_by("as_of").values_list("as_of", "doctrine"))
    assert [d for _, d in doctrines][:3] == ["control-based", "storage-based", "control-based"]
    content = case.analyses.order_by("as_of").first().result["items"][0]
    assert (content["storage"], content["reach"], content["route"]) == ("IE", "control", "direct")


@pytest.mark.django_db
def test_demo_loader_needs_the_catalogue():
    with pytest.raises(CommandError, match="load_catalogue"):
        call_command("load_demo", stdout=io.StringIO())


def test_the_demo_has_a_preservation_request_with_its_expiry(catalogue):
    """RULES.md v3: a §2703(f) preservation request, whose expiry is a deadline of its case."""
    from cases.models import Deadline

    call_command("load_demo", stdout=io.StringIO())
    case = Case.objects.get(demand__instrument__code="US-SCA-PRESERVATION")
    analysis = case.analyses.get()
    assert analysis.result["kind"] == "preservation"
    assert {item["reach"] for item in analysis.result["items"]} == {"control", "storage"}
    expiry = case.deadlines.get(kind=Deadline.Kind.PRESERVATION_EXPIRES, state=Deadline.State.OPEN)
    assert expiry.due_at.isoformat().replace("+00:00", "Z") == analysis.result["deadlines"]["preservation_expires"]
    assert not case.deadlines.filter(kind=Deadline.Kind.RESPONSE).exists()
