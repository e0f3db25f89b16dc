"""The case file's deadline table (issue 15): sorted by due time; superseded and
cancelled deadlines folded into "Earlier versions (n)" under the deadline that
replaced them, or at the end of the table."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Deadline
from cases.views.case_file import fold_earlier_versions
from tests.factories import CaseFactory


@pytest.fixture
def deadlines(db):
    now = timezone.now().replace(microsecond=0)
    case = CaseFactory(demand__reference="DL-1")

    def make(label, days, state="open", source="manual", kind="custom", previous=None):
        return Deadline.objects.create(
            case=case, kind=kind, label=label if kind == "custom" else "", due_at=now + dt.timedelta(days=days),
            source=source, state=state, previous=previous,
        )  # fmt: skip

    first = make("Reply to the DA", 3, state="superseded")
    second = make("Reply to the DA", 4, state="superseded", previous=first)
    current = make("Reply to the DA", 1, previous=second)  # moved earlier, in the end
    old_response = make("", 2, state="superseded", source="computed", kind="response")
    response = make("", 9, source="computed", kind="response")
    cancelled = make("Call the agent", 6, state="cancelled")
    met = make("File the notice", -1, state="met")
    return case, {"first": first, "second": second, "current": current, "old_response": old_response,
                  "response": response, "cancelled": cancelled, "met": met}  # fmt: skip


def test_folding_groups_each_earlier_version_under_its_current_deadline(deadlines):
    case, d = deadlines
    shown, left = fold_earlier_versions(list(case.deadlines.order_by("due_at", "pk")))
    assert shown == [d["met"], d["current"], d["response"]]  # by due time, whatever the state
    met, current, response = shown
    assert current.earlier == [d["first"], d["second"]]  # through `previous`, by due time
    assert response.earlier == [d["old_response"]]  # a re-analysis: the same computed kind
    assert met.earlier == [] and left == [d["cancelled"]]


def test_the_case_file_folds_them_into_details(client, viewer_user, deadlines):
    case, d = deadlines
    client.force_login(viewer_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    table = page[page.index('id="deadlines"') : page.index("</section>", page.index('id="deadlines"'))]
    top_rows = table.split('<tr class="deadline-earlier">')
    # The shown rows, in due order, with their earlier versions right after them.
    assert table.index("File the notice") < table.index("Reply to the DA") < table.index("Response due")
    assert table.count("Earlier versions (2)") == 1 and table.count("Earlier versions (1)") == 2
    after_current = top_rows[1]
    assert "Earlier versions (2)" in after_current and after_current.count('class="deadline-superseded"') == 2
    last = top_rows[-1]
    assert "Earlier versions (1)" in last and 'class="deadline-cancelled"' in last and "Call the agent" in last
    assert '<details class="earlier-versions"><summary>Earlier versions' in table
