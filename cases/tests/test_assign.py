"""Assigning a case to a member of counsel: the action, and the case file's form."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import roles
from cases import actions
from cases.models import CaseEvent, Status
from cases.tests.builders import full_case
from conftest import _persona
from tests.factories import CaseFactory


@pytest.fixture
def other_counsel(db):
    return _persona("olga.counsel", roles.COUNSEL)


# --- the action ------------------------------------------------------------------------


def test_assigning_writes_one_event_bumps_the_version_and_keeps_history(counsel_user, other_counsel):
    case = CaseFactory()
    event = actions.assign(case=case, counsel=counsel_user, by=counsel_user, expected_version=1)
    case.refresh_from_db()
    assert (case.counsel, case.version) == (counsel_user, 2)
    assert (event.kind, event.by, event.note) == (
        "assigned",
        counsel_user,
        "Assigned to carl.counsel (was unassigned).",
    )
    assert event.data == {"counsel": "carl.counsel", "previous": None}
    assert case.history.first().history_user == counsel_user
    moved = actions.assign(case=case, counsel=other_counsel, by=counsel_user)  # expected_version is optional
    assert moved.note == "Assigned to olga.counsel (was carl.counsel)."
    gone = actions.assign(case=case, counsel=None, by=counsel_user, expected_version=3)
    assert (gone.note, gone.data) == ("Unassigned (was olga.counsel).", {"counsel": None, "previous": "olga.counsel"})
    case.refresh_from_db()
    assert case.counsel is None and case.version == 4
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == ["assigned"] * 3


@pytest.mark.parametrize("who", ["viewer_user", "intake_user", "api_user", "outsider_user", "inactive", "superuser"])
def test_only_active_counsel_can_be_assigned(request, counsel_user, who):
    if who == "inactive":
        assignee = _persona("ina.counsel", roles.COUNSEL, is_active=False)
    elif who == "superuser":  # all roles to act, but not a member of counsel to assign
        assignee = request.getfixturevalue("admin_user_")
    else:
        assignee = request.getfixturevalue(who)
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        actions.assign(case=case, counsel=assignee, by=counsel_user, expected_version=1)
    assert refused.value.message_dict == {
        "counsel": [f"{assignee.username} is not active counsel: a case is assigned to a member of counsel."]
    }
    case.refresh_from_db()
    assert case.counsel is None and case.version == 1 and not case.events.exists()


def test_a_superuser_in_the_counsel_group_is_counsel(counsel_user, admin_user_):
    admin_user_.groups.add(Group.objects.get_or_create(name=roles.COUNSEL)[0])
    case = CaseFactory()
    actions.assign(case=case, counsel=admin_user_, by=counsel_user)
    assert case.counsel == admin_user_


def test_an_unchanged_assignment_is_refused(counsel_user):
    case = CaseFactory(counsel=counsel_user)
    with pytest.raises(ValidationError, match="already assigned to carl.counsel"):
        actions.assign(case=case, counsel=counsel_user, by=counsel_user)
    unassigned = CaseFactory()
    with pytest.raises(ValidationError, match="already unassigned"):
        actions.assign(case=unassigned, counsel=None, by=counsel_user)
    assert not CaseEvent.objects.exists()


def test_a_closed_case_refuses_it(counsel_user):
    case = CaseFactory(status=Status.CLOSED, outcome="moot")
    with pytest.raises(ValidationError) as refused:
        actions.assign(case=case, counsel=counsel_user, by=counsel_user)
    assert refused.value.message_dict == {"counsel": ["The case is closed (moot): its assignment no longer changes."]}


def test_a_stale_version_is_refused(counsel_user):
    case = CaseFactory()
    with pytest.raises(actions.StaleCase):
        actions.assign(case=case, counsel=counsel_user, by=counsel_user, expected_version=7)
    case.refresh_from_db()
    assert case.counsel is None and case.version == 1


# --- the case file -----------------------------------------------------------------------


def _assign(client, case, counsel, version=None):
    return client.post(
        reverse("cases:assign", args=[case.pk]),
        {"assign-counsel": counsel.pk if counsel else "", "assign-version": version or case.version},
    )


def test_counsel_assigns_from_the_case_file(client, counsel_user, other_counsel, version):
    case = full_case(version)
    client.force_login(counsel_user)
    page = client.get(reverse("cases:detail", args=[case.pk]))
    form = page.context["assign_form"]
    assert [c.username for c in form.fields["counsel"].queryset] == ["carl.counsel", "olga.counsel"]
    assert 'id="assign-form"' in page.content.decode()
    response = _assign(client, case, counsel_user)
    assert response.status_code == 302 and response.url.endswith("#facts")
    page = client.get(response.url)
    body = page.content.decode()
    assert "Assigned to carl.counsel." in body  # the message
    assert "Assigned to carl.counsel (was unassigned)." in body  # the timeline
    assert page.context["assign_form"].initial["counsel"] == counsel_user.pk
    case.refresh_from_db()
    assert _assign(client, case, None).status_code == 302
    case.refresh_from_db()
    assert case.counsel is None


def test_a_refusal_keeps_the_form_with_its_error(client, counsel_user, viewer_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = _assign(client, case, viewer_user)  # not among the choices
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert response.context["assign_form"].errors["counsel"]
    response = _assign(client, case, None)  # already unassigned: the action's refusal
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert response.context["assign_form"].errors == {"counsel": ["The case is already unassigned."]}
    assert "The case is already unassigned." in response.content.decode()


def test_a_stale_form_shows_the_case_as_it_is(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = _assign(client, case, counsel_user, version=case.version + 5)
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert response.context["conflict"].startswith(f"Case {case.pk} was changed by someone else")
    case.refresh_from_db()
    assert case.counsel is None


@pytest.mark.parametrize("persona", ["viewer_user", "intake_user", "api_user", "outsider_user"])
def test_other_roles_may_not_assign_nor_see_the_form(client, request, counsel_user, persona, version):
    case = full_case(version)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert _assign(client, case, counsel_user).status_code == 403
    case.refresh_from_db()
    assert case.counsel is None
    if persona in ("viewer_user", "intake_user"):
        page = client.get(reverse("cases:detail", args=[case.pk]))
        assert page.context["assign_form"] is None and 'id="assign-form"' not in page.content.decode()


def test_no_form_on_a_closed_case(client, counsel_user, version):
    case = full_case(version)
    case.status, case.outcome = Status.CLOSED, "moot"
    case.save()
    client.force_login(counsel_user)
    assert client.get(reverse("cases:detail", args=[case.pk])).context["assign_form"] is None
    assert _assign(client, case, counsel_user).status_code == 302  # refused, shown on the case file


# --- the admin ---------------------------------------------------------------------------


def _admin_form(**fields) -> dict:
    return {"counsel": "", "expected_version": "1", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0", **fields}


def test_the_admin_assigns_through_the_action(client, admin_user_, counsel_user, viewer_user):
    case = CaseFactory()
    client.force_login(admin_user_)
    url = f"/admin/cases/case/{case.pk}/change/"
    page = client.get(url)
    assert [u.username for u in page.context["adminform"].form.fields["counsel"].queryset] == ["carl.counsel"]
    # Assigned and moved in one submission: two actions, two events, in order.
    form = _admin_form(counsel=str(counsel_user.pk), change="status:analysis", occurred_on="2026-01-05")
    assert client.post(url, form).status_code == 302
    case.refresh_from_db()
    assert (case.counsel, case.status, case.version) == (counsel_user, "analysis", 3)
    assert [(e.kind, e.by) for e in case.events.order_by("pk")] == [
        ("assigned", admin_user_),
        ("status_changed", admin_user_),
    ]
    # Someone who is not counsel is not offered, and a stale form is refused.
    response = client.post(url, _admin_form(counsel=str(viewer_user.pk), expected_version="3"))
    assert response.status_code == 200 and "counsel" in response.context["adminform"].form.errors
    response = client.post(url, _admin_form(expected_version="1"), follow=True)
    assert "changed by someone else" in response.content.decode()
    case.refresh_from_db()
    assert (case.counsel, case.version) == (counsel_user, 3)
