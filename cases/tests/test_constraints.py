"""The database itself refuses rows that break the domain's invariants.

These run on SQLite and, in CI, on PostgreSQL: each violating write must raise
IntegrityError from the database, not from Python validation.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from cases.models import Case, CaseEvent, Deadline
from tests.factories import (
    AccountFactory,
    CaseFactory,
    DataLocationFactory,
    DemandFactory,
    EntityFactory,
    EventFactory,
    HoldingFactory,
    InstrumentFactory,
    JurisdictionFactory,
    NdoFactory,
)

pytestmark = pytest.mark.django_db


def refused(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_one_case_per_demand():
    case = CaseFactory()
    assert refused(lambda: Case.objects.create(demand=case.demand))
    assert Case.objects.filter(demand=case.demand).count() == 1


def test_closed_case_needs_outcome_and_open_case_has_none():
    case = CaseFactory()
    assert refused(lambda: Case.objects.filter(pk=case.pk).update(status="closed", outcome=""))
    assert refused(lambda: Case.objects.filter(pk=case.pk).update(status="intake", outcome="moot"))
    Case.objects.filter(pk=case.pk).update(status="closed", outcome="moot")
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "moot")


def test_unknown_track_states_are_refused():
    case = CaseFactory()
    assert refused(lambda: Case.objects.filter(pk=case.pk).update(status="lost"))
    assert refused(lambda: Case.objects.filter(pk=case.pk).update(appeal_status="won"))
    assert refused(lambda: Case.objects.filter(pk=case.pk).update(contempt_status="jailed"))
    assert refused(lambda: Case.objects.filter(pk=case.pk).update(contempt_sanctions_amount=-1))


def test_event_case_never_changes_and_events_are_not_edited():
    event = EventFactory()
    other = CaseFactory()
    assert refused(lambda: CaseEvent.objects.filter(pk=event.pk).update(case=other))
    assert refused(lambda: CaseEvent.objects.filter(pk=event.pk).update(note="rewritten"))
    event.refresh_from_db()
    assert event.case_id != other.pk and event.note == ""


def test_events_cannot_be_deleted_on_postgres(postgres):
    event = EventFactory()
    assert refused(lambda: CaseEvent.objects.filter(pk=event.pk).delete())
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_holding_unique_per_category_and_place():
    holding = HoldingFactory()
    assert refused(
        lambda: HoldingFactory(account=holding.account, category=holding.category, data_location=holding.data_location)
    )
    unknown = HoldingFactory(account=holding.account, category="subscriber", data_location=None)
    assert refused(lambda: HoldingFactory(account=unknown.account, category="subscriber", data_location=None))
    assert refused(lambda: HoldingFactory(account=holding.account, category="secrets"))


def test_account_identifier_unique_per_demand():
    account = AccountFactory()
    assert refused(lambda: AccountFactory(demand=account.demand, identifier=account.identifier))
    AccountFactory(identifier=account.identifier)  # same identifier on another demand is fine


def test_period_counting_fits_its_unit():
    from jurisdictions.models import Period

    def make(code, unit, counting, length=7):
        Period.objects.create(
            code=code,
            name=code,
            citation="-",
            length=length,
            unit=unit,
            counting=counting,
            roll_over=False,
            clock="instrument",
        )

    assert refused(lambda: make("P1", "days", "after-hour-of-receipt"))
    assert refused(lambda: make("P2", "hours", "after-day-of-service"))
    assert refused(lambda: make("P3", "days", "after-day-of-service", length=0))
    make("P4", "hours", "after-hour-of-receipt", length=8)


def test_dates_in_order():
    assert refused(lambda: NdoFactory(starts_on=dt.date(2026, 5, 1), expires_on=dt.date(2026, 4, 30)))
    assert refused(lambda: InstrumentFactory(code="X-END", start=dt.date(2020, 1, 2), end=dt.date(2020, 1, 1)))
    assert refused(
        lambda: DemandFactory(
            served_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC), received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
    )


def test_jurisdiction_code_is_iso_alpha2():
    assert refused(lambda: JurisdictionFactory(code="us"))


def test_entity_is_not_its_own_parent():
    entity = EntityFactory()
    assert refused(lambda: type(entity).objects.filter(pk=entity.pk).update(parent=entity))


def test_one_open_computed_deadline_per_kind():
    case = CaseFactory()
    due = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    Deadline.objects.create(case=case, kind="response", due_at=due, source="computed")
    assert refused(lambda: Deadline.objects.create(case=case, kind="response", due_at=due, source="computed"))
    Deadline.objects.create(case=case, kind="response", due_at=due, source="manual")
    assert refused(lambda: Deadline.objects.create(case=case, kind="custom", due_at=due, source="manual"))


def test_data_location_needs_operator():
    location = DataLocationFactory()
    assert refused(lambda: type(location).objects.filter(pk=location.pk).update(operated_by=None))
