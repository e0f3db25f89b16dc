"""The RULES.md v3 migrations apply on a database that already holds v2 rows: the new
columns take their defaults, the doctrine periods' free-text `authority` gives way to
dated authority ids (which `load_catalogue` then writes), and demands keep every fact."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The last migrations before v3.
BEFORE = [
    ("jurisdictions", "0001_initial"),
    ("requests_app", "0002_reference_unique_ignoring_case"),
    ("cases", "0011_access_and_outbox_to_their_apps"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_v3_migrations_apply_on_a_v2_database():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = _migrate(BEFORE)
    Jurisdiction = old.get_model("jurisdictions", "Jurisdiction")
    us = Jurisdiction.objects.create(code="US", name="United States", time_zone="America/New_York")
    instrument = old.get_model("jurisdictions", "LegalInstrument").objects.create(
        code="US-SCA-WARRANT",
        jurisdiction=us,
        name="Warrant",
        citation="18 U.S.C. §2703",
        start=dt.date(1987, 1, 19),
        categories=["content"],
        hook="presence",
    )
    period = old.get_model("jurisdictions", "DoctrinePeriod").objects.create(
        position=1, start=dt.date(2018, 3, 23), doctrine="control-based", authority="18 U.S.C. §2713 (CLOUD Act)"
    )
    period.instruments.add(instrument)
    old.get_model("jurisdictions", "Court").objects.create(
        name="S.D.N.Y.", jurisdiction=us, circuit="2", time_zone="America/New_York"
    )
    entity = old.get_model("jurisdictions", "ControllingEntity").objects.create(name="Example Inc.", country=us)
    old.get_model("requests_app", "Demand").objects.create(
        reference="V2-1",
        instrument=instrument,
        issuing_jurisdiction=us,
        issuing_authority="FBI",
        served_entity=entity,
        emergency=True,
    )

    new = _migrate(leaves)

    instrument = new.get_model("jurisdictions", "LegalInstrument").objects.get(code="US-SCA-WARRANT")
    assert (instrument.kind, instrument.preservation_period_id, instrument.group_control) == ("production", None, False)
    assert (instrument.control_authorities, instrument.pending_rule, instrument.pending_cutoff) == ([], "", None)
    period = new.get_model("jurisdictions", "DoctrinePeriod").objects.get()
    assert (period.authorities, period.note, period.to_confirm) == ([], "", "")
    assert new.get_model("jurisdictions", "Court").objects.get().state == ""
    demand = new.get_model("requests_app", "Demand").objects.get()
    assert (demand.emergency, demand.extended, demand.pending_since) == (True, False, None)

    # The shipped catalogue loads over the old rows; the doctrine periods are the files'.
    call_command("load_catalogue", stdout=io.StringIO())
    from jurisdictions.models import DoctrinePeriod

    assert DoctrinePeriod.objects.exclude(authorities=[]).exists()
