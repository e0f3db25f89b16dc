"""What the header of every page needs: the signed-in person's unread notifications."""

from functools import cache

from django.http import HttpRequest

from cases.models import Notification


def notifications(request: HttpRequest) -> dict:
    """`unread_notifications`: how many of the person's notifications are unread.

    Lazy and once: a callable the template calls when it shows the count (one COUNT on
    the (user, read_at) index), so a page or partial that does not show it, or an
    anonymous visitor, costs no query; cached, so reading it twice costs one.
    """

    @cache
    def unread() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.filter(user=user).unread().count()

    return {"unread_notifications": unread}
