"""A person's notifications: deadline reminders and emergency demands, newest first,
each marked read on its own or all at once. Everyone signed in has the page, and
sees only their own: another person's notice is a 404, never shown or changed."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases.models import Notification, NotificationQuerySet
from cases.views.common import PAGE_SIZE


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """Two queries besides the header's: the count for the pages, and the page of
    notices with their cases."""
    notices = _own(request).select_related("case__demand").order_by("-created_at", "-pk")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for notice in page:
        subject, _, body = notice.message.partition("\n\n")
        rows.append({"notice": notice, "subject": subject, "body": body})
    return render(request, "cases/notifications.html", {"page": page, "rows": rows})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(_own(request).only("pk"), pk=pk)
    Notification.objects.filter(pk=notice.pk).mark_read(at=timezone.now())
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    _own(request).mark_read(at=timezone.now())
    return _back(request)


def _own(request: HttpRequest) -> NotificationQuerySet:
    """The signed-in person's notifications (login_required: never an anonymous one)."""
    return Notification.objects.filter(user_id=request.user.pk or 0)


def _back(request: HttpRequest) -> HttpResponse:
    """To the page the form was on (`next`, on this site only), else the list."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("notifications:list")
    return HttpResponseRedirect(target)
