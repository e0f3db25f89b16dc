"""Cases built for the page and step tests: a full case file, an engine result."""

import datetime as dt

from django.utils import timezone

from cases.models import Analysis, Case, Deadline
from tests.factories import (
    AccountFactory,
    CaseFactory,
    EventFactory,
    HoldingFactory,
    NdoFactory,
)

READERS = ["intake_user", "counsel_user", "viewer_user"]
REFUSED = ["api_user", "outsider_user"]


def result(account="target@example.com") -> dict:
    return {
        "id": "x",
        "doctrine": "control-based",
        "items": [
            {
                "account": account,
                "category": "content",
                "storage": "IE",
                "controlled_by": "Example Inc.",
                "reach": "control",
                "route": "direct",
                "conflicts": ["EU-GDPR-ART48"],
                "comity_motion": True,
                "mlat": [],
                "reasons": [{"code": "doctrine", "text": "Control-based doctrine applies.", "citation": "CLOUD Act"}],
            }
        ],
        "deadlines": {"response_due": None, "comity_motion_due": None},
        "deadline_working": {"response_due": None, "comity_motion_due": None},
        "reasons": [{"code": "available", "text": "The instrument is in force.", "citation": "18 U.S.C. §2703"}],
        "catalogue_version": "v1",
    }


def full_case(version, reference="13-MAG-2814", *, accounts=2, analyses=2) -> Case:
    """A case with accounts, holdings, an NDO, analyses, events and deadlines."""
    case = CaseFactory(demand__reference=reference)
    NdoFactory(demand=case.demand)
    for i in range(accounts):
        account = AccountFactory(demand=case.demand, identifier=f"{reference.lower()}-{i}@example.com")
        HoldingFactory(account=account, category="content")
        HoldingFactory(account=account, category="subscriber", data_location=None)
    for i in range(analyses):
        Analysis.objects.create(
            case=case,
            as_of=dt.date(2026, 1, 1 + i),
            catalogue_version=version,
            doctrine="control-based",
            result=result(),
            fingerprint=str(i),
        )
    EventFactory(case=case, kind="motion_filed", note="Motion to vacate", citation="15 F. Supp. 3d 466")
    EventFactory(case=case, kind="analysis_changed", data={"changes": ["doctrine: control-based → storage-based"]})
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.RESPONSE,
        due_at=timezone.now() - dt.timedelta(days=1),
        source=Deadline.Source.COMPUTED,
        computation={
            "start": "2026-01-02T09:00:00+00:00",
            "period": "US-14-DAYS",
            "counting": "after-day-of-service",
            "last_day": "2026-01-16",
            "rolled_over": ["2026-01-17", "2026-01-18"],
            "time_zone": "America/New_York",
            "explanation": "14 days after service, rolled over the weekend.",
        },
    )
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.CUSTOM,
        label="Call the AUSA",
        due_at=timezone.now() + dt.timedelta(days=2),
        source=Deadline.Source.MANUAL,
    )
    return case


def result_v3(account="target@example.com", **changes) -> dict:
    """An engine result of RULES.md v3: the request's kind, the doctrine's authorities,
    each holding's `voluntary`, and all four deadlines."""
    base = result(account)
    subscriber = {
        **base["items"][0],
        "category": "subscriber",
        "storage": "US",
        "reach": "storage",
        "route": "direct",
        "conflicts": [],
        "comity_motion": False,
        "voluntary": True,
    }
    return {
        **base,
        "kind": "production",
        "doctrine_authorities": ["US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17"],
        "items": [{**base["items"][0], "voluntary": False}, subscriber],
        "deadlines": {
            "response_due": "2026-01-16T05:00:00Z",
            "comity_motion_due": None,
            "preservation_expires": None,
            "conflict_objection_due": "2026-01-12T23:00:00Z",
        },
        "deadline_working": {
            "response_due": None,
            "comity_motion_due": None,
            "preservation_expires": None,
            "conflict_objection_due": None,
        },
        **changes,
    }


# Served in New York on Wednesday 25 Nov 2026 (10:00 there): the comity motion's 14 days
# end on Wednesday 9 Dec, end of day in New York.
SDNY_SERVED = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)


def sdny_warrant() -> Case:
    """An S.D.N.Y. warrant for a UK resident's mail stored in London by a US provider,
    analysed: the provider may move to modify on comity grounds (§2703(h)(2)) within 14
    days. Needs the catalogue loaded."""
    from cases.analysis import analyse_case
    from jurisdictions.models import Court, DataLocation, LegalInstrument
    from tests.factories import DemandFactory, EntityFactory

    provider = EntityFactory(name="Microsoft Corporation")
    london = DataLocation.objects.create(name="London", country_id="GB", operated_by=provider)
    demand = DemandFactory(
        reference="26-MAG-1209",
        instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"),
        court=Court.objects.get(name="S.D.N.Y."),
        served_entity=provider,
        served_at=SDNY_SERVED,
        received_at=SDNY_SERVED,
    )
    account = AccountFactory(demand=demand, identifier="resident@example.co.uk", us_person=False, residence_id="GB")
    HoldingFactory(account=account, category="content", data_location=london, controlled_by=provider)
    case = CaseFactory(demand=demand)
    analyse_case(case=case, as_of=dt.date(2026, 11, 25))
    return case
