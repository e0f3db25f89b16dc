"""The notifications page: a person's own notices newest first, marked read one by one
or all at once, and the unread count in the header of every page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cases.models import Notification
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
ALL_READ = reverse("notifications:mark_all_read")
NOW = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _notice(user, case, *, minutes: int = 0, kind: str = "emergency", read: bool = False) -> Notification:
    with time_machine.travel(NOW + dt.timedelta(minutes=minutes), tick=False):
        return Notification.objects.create(
            user=user,
            case=case,
            kind=kind,
            message=f"Headline {minutes}\n\nCase {case.pk}: the details of notice {minutes}.",
            read_at=NOW if read else None,
        )


@pytest.fixture
def notices(counsel_user, viewer_user):
    case = CaseFactory(demand__reference="EPO-URGENT-7")
    return {
        "old": _notice(counsel_user, case, minutes=0, kind="due_in_24h"),
        "read": _notice(counsel_user, case, minutes=5, kind="overdue", read=True),
        "new": _notice(counsel_user, case, minutes=10),
        "theirs": _notice(viewer_user, case, minutes=20),
        "case": case,
    }


def _unread_in_header(body: str) -> str | None:
    marker = '<span class="unread-count" id="unread-count">'
    return body.split(marker, 1)[1].split("<", 1)[0] if marker in body else None


def test_the_list_is_the_persons_own_newest_first_with_the_case(client, counsel_user, notices):
    client.force_login(counsel_user)
    response = client.get(LIST)
    assert response.status_code == 200
    rows = [row["notice"] for row in response.context["rows"]]
    assert rows == [notices["new"], notices["read"], notices["old"]]  # not the viewer's
    body = response.content.decode()
    assert body.index("Headline 10") < body.index("Headline 5") < body.index("Headline 0")
    assert "Headline 20" not in body
    assert f'href="{reverse("cases:detail", args=[notices["case"].pk])}" class="case-link">EPO-URGENT-7' in body
    assert "the details of notice 10" in body and "Emergency demand" in body
    assert "3 notifications, 2 unread" in body
    # Each unread notice has its "Mark read"; the read one says when it was read.
    assert body.count('class="inline mark-read"') == 2 and "read 2 Mar 2026, 12:00 UTC" in body


def test_the_list_takes_a_fixed_number_of_queries(client, counsel_user, notices, django_assert_num_queries):
    """1 session, 2 user, 3 count for the pages, 4 the page of notices with their cases
    and demands, 5 the user's groups (the header's links by role), 6 the header's
    unread count (also shown on the page: read once)."""
    client.force_login(counsel_user)
    for minutes in range(30, 60):
        _notice(counsel_user, CaseFactory(), minutes=minutes)
    with django_assert_num_queries(6):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 33


def test_mark_read_marks_that_one_only(client, counsel_user, notices):
    client.force_login(counsel_user)
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        response = client.post(reverse("notifications:mark_read", args=[notices["new"].pk]), {"next": LIST})
    assert response.status_code == 302 and response["Location"] == LIST
    for name, expected in (("new", NOW + dt.timedelta(hours=1)), ("read", NOW), ("old", None), ("theirs", None)):
        notices[name].refresh_from_db()
        assert notices[name].read_at == expected, name
    # Marking it again keeps the time it was first read.
    client.post(reverse("notifications:mark_read", args=[notices["new"].pk]))
    notices["new"].refresh_from_db()
    assert notices["new"].read_at == NOW + dt.timedelta(hours=1)


def test_mark_all_read_marks_the_persons_own_only(client, counsel_user, notices):
    client.force_login(counsel_user)
    response = client.post(ALL_READ)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(user=counsel_user).unread().exists()
    assert Notification.objects.get(pk=notices["read"].pk).read_at == NOW  # kept
    assert Notification.objects.get(pk=notices["theirs"].pk).read_at is None
    body = client.get(LIST).content.decode()
    assert _unread_in_header(body) is None and 'id="mark-all-read"' not in body


def test_the_header_counts_the_unread_on_every_page(client, counsel_user, viewer_user, intake_user, notices):
    client.force_login(counsel_user)
    for url in (reverse("home"), reverse("cases:list"), reverse("cases:detail", args=[notices["case"].pk]), LIST):
        assert _unread_in_header(client.get(url).content.decode()) == "2", url
    client.force_login(viewer_user)
    assert _unread_in_header(client.get(reverse("cases:list")).content.decode()) == "1"
    client.force_login(intake_user)  # nothing for this person: the link, no count
    body = client.get(reverse("cases:list")).content.decode()
    assert 'id="notifications-link"' in body and _unread_in_header(body) is None


def test_another_persons_notice_cannot_be_marked(client, counsel_user, notices):
    client.force_login(counsel_user)
    response = client.post(reverse("notifications:mark_read", args=[notices["theirs"].pk]))
    assert response.status_code == 404
    notices["theirs"].refresh_from_db()
    assert notices["theirs"].read_at is None


def test_a_next_elsewhere_is_not_followed(client, counsel_user, notices):
    client.force_login(counsel_user)
    response = client.post(
        reverse("notifications:mark_read", args=[notices["new"].pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == LIST


@pytest.mark.parametrize("user", ["api_user", "outsider_user"])
def test_anyone_signed_in_has_the_page_with_only_their_own(client, request, user, notices):
    client.force_login(request.getfixturevalue(user))
    response = client.get(LIST)
    assert response.status_code == 200 and response.context["rows"] == []
    assert "No notifications yet" in response.content.decode()
    assert client.post(reverse("notifications:mark_read", args=[notices["new"].pk])).status_code == 404


def test_login_is_required(client, notices):
    for response in (
        client.get(LIST),
        client.post(ALL_READ),
        client.post(reverse("notifications:mark_read", args=[notices["new"].pk])),
    ):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Notification.objects.filter(read_at__isnull=False).exclude(pk=notices["read"].pk).exists()


def test_marking_needs_a_post_with_the_csrf_token(counsel_user, notices):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(counsel_user)
    assert client.get(reverse("notifications:mark_read", args=[notices["new"].pk])).status_code == 405
    assert client.get(ALL_READ).status_code == 405
    assert client.post(ALL_READ).status_code == 403  # no token
    assert Notification.objects.filter(user=counsel_user).unread().count() == 2
