"""When a demand arrived: the same rules for the intake form and the API."""

import datetime as dt

from django.utils import timezone

from requests_app.models import arrival_errors


def test_arrival_rules():
    now = timezone.now()
    assert arrival_errors(now, now + dt.timedelta(minutes=5)) == {}
    assert arrival_errors(None, None) == {}
    assert arrival_errors(now, now - dt.timedelta(hours=1)) == {
        "received_at": "Received before it was served: check both times."
    }
    later = now + dt.timedelta(days=2)
    errors = arrival_errors(later, None)
    assert list(errors) == ["served_at"] and "is in the future" in errors["served_at"]
    assert "is in the future" in arrival_errors(now, later)["received_at"]
