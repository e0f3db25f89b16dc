"""factory-boy factories for the domain; the catalogue rows are minimal stand-ins."""

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, CaseEvent
from jurisdictions.models import ControllingEntity, Court, DataLocation, Jurisdiction, LegalInstrument
from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    code = "US"
    name = factory.LazyAttribute(lambda o: f"Country {o.code}")
    time_zone = "America/New_York"
    holidays_country = factory.LazyAttribute(lambda o: o.code)


class CourtFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Court
        django_get_or_create = ("name",)

    name = "S.D.N.Y."
    jurisdiction = factory.SubFactory(JurisdictionFactory, code="US")
    circuit = "2"
    time_zone = "America/New_York"


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalInstrument
        django_get_or_create = ("code",)

    code = "US-SCA-WARRANT"
    name = "Warrant"
    citation = "18 U.S.C. §2703(a)"
    jurisdiction = factory.SubFactory(JurisdictionFactory, code="US")
    start = dt.date(1987, 1, 19)
    categories = ["subscriber", "traffic", "content"]
    hook = "presence"


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControllingEntity
        django_get_or_create = ("name",)

    name = "Example Inc."
    country = factory.SubFactory(JurisdictionFactory, code="US")
    offers_services_in = ["*"]


class DataLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataLocation
        django_get_or_create = ("name",)

    name = "Dublin"
    country = factory.SubFactory(JurisdictionFactory, code="IE", time_zone="Europe/Dublin")
    operated_by = factory.SubFactory(EntityFactory)


class DemandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demand

    reference = factory.Sequence(lambda n: f"DEMO-{n:05d}")
    instrument = factory.SubFactory(InstrumentFactory)
    issuing_jurisdiction = factory.SubFactory(JurisdictionFactory, code="US")
    issuing_authority = "U.S. Department of Justice"
    court = factory.SubFactory(CourtFactory)
    served_entity = factory.SubFactory(EntityFactory)
    # Served long ago (no step a test records may predate it), received (logged) now.
    served_at = dt.datetime(2013, 1, 2, 9, 0, tzinfo=dt.UTC)
    received_at = factory.LazyFunction(timezone.now)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetAccount

    demand = factory.SubFactory(DemandFactory)
    identifier = factory.Sequence(lambda n: f"user{n}@example.com")


class HoldingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holding

    account = factory.SubFactory(AccountFactory)
    category = "content"
    data_location = factory.SubFactory(DataLocationFactory)
    controlled_by = factory.SubFactory(EntityFactory)


class NdoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NondisclosureOrder

    demand = factory.SubFactory(DemandFactory)
    basis = "18 U.S.C. §2705(b)"
    starts_on = dt.date(2026, 1, 1)
    expires_on = dt.date(2027, 1, 1)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    demand = factory.SubFactory(DemandFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = "note"
    occurred_on = dt.date(2026, 1, 2)
