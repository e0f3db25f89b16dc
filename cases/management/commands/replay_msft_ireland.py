"""Replay the Microsoft Ireland litigation onto the demo case, through the actions.

In re Warrant to Search a Certain E-Mail Account Controlled and Maintained by
Microsoft Corp., 13 Mag. 2814 (S.D.N.Y.), through United States v. Microsoft Corp.,
138 S. Ct. 1186 (2018). Every step goes through `cases.actions`, as a person would
record it, so the demo exercises the same code and checks as the UI.

Events are append-only, so a case is replayed onto only once: when the demo case
already has workflow events, the history is replayed onto a fresh copy of its
demand and case, "13-MAG-2814-REPLAY-<n>".
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases import actions
from cases.models import AppealStatus, Case, ContemptStatus, Outcome, Status
from jurisdictions.models import Court
from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount

REFERENCE = "13-MAG-2814"
# Events the analysis writes; a case with only these has no workflow history yet.
# What a case has before anyone works on it: its intake entry and its analyses.
FRESH_EVENT_KINDS = ("demand_logged", "analysed", "analysis_changed")
SDNY, CA2, SCOTUS = "S.D.N.Y.", "2d Cir.", "Supreme Court of the United States"
D = dt.date

# (action, court, keyword arguments): the history in the order it happened. The case
# is in counsel's review already: its first analysis (as of 2013-12-04) moved it there.
HISTORY: list[tuple[str, str | None, dict]] = [
    ("record_event", SDNY, {
        "kind": "demand_served", "occurred_on": D(2013, 12, 4),
        "note": "Search warrant under 18 U.S.C. §2703(a), issued by Magistrate Judge James C. Francis IV, "
                "served on Microsoft for the contents of an Outlook.com account stored in Dublin.",
    }),
    ("change_status", None, {
        "to": Status.LITIGATING, "occurred_on": D(2013, 12, 18),
        "note": "Microsoft contests the warrant for the content stored in Dublin.",
    }),
    ("record_event", SDNY, {
        "kind": "motion_filed", "occurred_on": D(2013, 12, 18),
        "note": "Motion to vacate the warrant insofar as it reaches content stored outside the United States.",
    }),
    ("record_event", SDNY, {
        "kind": "motion_denied", "occurred_on": D(2014, 4, 25), "citation": "15 F. Supp. 3d 466 (S.D.N.Y. 2014)",
        "note": "Magistrate Judge Francis denies the motion: the SCA warrant is a hybrid of warrant and subpoena.",
    }),
    ("record_event", SDNY, {
        "kind": "order_affirmed", "occurred_on": D(2014, 7, 31),
        "note": "District Judge Loretta A. Preska affirms the magistrate judge's ruling from the bench.",
    }),
    ("record_event", SDNY, {
        "kind": "stay_granted", "occurred_on": D(2014, 8, 1), "note": "The order is stayed pending appeal.",
    }),
    ("record_event", SDNY, {
        "kind": "stay_lifted", "occurred_on": D(2014, 8, 29),
        "note": "The stay is lifted: the order is not appealable until Microsoft is held in contempt.",
    }),
    ("hold_in_contempt", SDNY, {
        "held_on": D(2014, 9, 8), "kind": "civil", "by_stipulation": True, "sanctions_amount": Decimal("0"),
        "note": "Civil contempt by stipulation of the parties, no sanctions imposed, so that Microsoft can appeal.",
    }),
    ("file_appeal", CA2, {"filed_on": D(2014, 9, 9), "note": "Notice of appeal to the Second Circuit."}),
    ("advance_appeal", CA2, {"to": AppealStatus.ARGUED, "occurred_on": D(2015, 9, 9)}),
    ("advance_appeal", CA2, {
        "to": AppealStatus.DECIDED, "occurred_on": D(2016, 7, 14), "disposition": "reversed",
        "citation": "829 F.3d 197 (2d Cir. 2016)",
        "note": "Reversed: §2703 does not authorise a warrant for content stored abroad; remanded to quash.",
    }),
    ("vacate_contempt", CA2, {
        "vacated_on": D(2016, 7, 14), "citation": "829 F.3d 197 (2d Cir. 2016)",
        "note": "The finding of civil contempt is vacated with the reversal.",
    }),
    ("advance_appeal", CA2, {
        "to": AppealStatus.REHEARING_PETITION, "occurred_on": D(2016, 10, 13),
        "note": "The government petitions for rehearing en banc.",
    }),
    ("advance_appeal", CA2, {
        "to": AppealStatus.DECIDED, "occurred_on": D(2017, 1, 24), "citation": "855 F.3d 53 (2d Cir. 2017)",
        "note": "Rehearing en banc denied; the panel's reversal stands.",
    }),
    ("advance_appeal", SCOTUS, {
        "to": AppealStatus.CERTIORARI_PETITION, "occurred_on": D(2017, 6, 23),
        "note": "United States v. Microsoft Corp., No. 17-2: the government petitions for certiorari.",
    }),
    ("advance_appeal", SCOTUS, {"to": AppealStatus.CERTIORARI_GRANTED, "occurred_on": D(2017, 10, 16)}),
    ("advance_appeal", SCOTUS, {"to": AppealStatus.ARGUED, "occurred_on": D(2018, 2, 27)}),
    ("record_event", None, {
        "kind": "legislation_enacted", "occurred_on": D(2018, 3, 23), "citation": "Pub. L. No. 115-141, div. V (2018)",
        "note": "CLOUD Act enacted: 18 U.S.C. §2713 reaches data in a provider's possession, custody or control, "
                "wherever stored. A new warrant under it replaces the old one.",
    }),
    ("advance_appeal", SCOTUS, {
        "to": AppealStatus.DECIDED, "occurred_on": D(2018, 4, 17), "disposition": "vacated",
        "citation": "138 S. Ct. 1186 (2018) (per curiam)",
        "note": "Vacated as moot and remanded with instructions to dismiss.",
    }),
    ("change_status", None, {
        "to": Status.CLOSED, "occurred_on": D(2018, 4, 17), "outcome": Outcome.MOOT,
        "note": "Closed: the case is moot after the CLOUD Act and the new warrant.",
    }),
]  # fmt: skip


def _court(name: str | None) -> dict:
    """The catalogue's court when it has one by that name, else the name as given."""
    if name is None:
        return {}
    court = Court.objects.filter(name=name).first()
    return {"court": court} if court else {"court_name": name}


def is_fresh(case: Case) -> bool:
    """No workflow yet: every track where logging and analysing the demand left it (in
    counsel's review once analysed, by the system) and no event by a person since."""
    return (
        case.status in (Status.INTAKE, Status.COUNSEL_REVIEW)
        and (case.appeal_status, case.contempt_status) == (AppealStatus.NONE, ContemptStatus.NONE)
        and not case.events.exclude(kind__in=FRESH_EVENT_KINDS).exclude(kind="status_changed", by__isnull=True).exists()
    )


def copy_case(case: Case) -> Case:
    """A fresh demand and case with the same facts and analyses, under a new reference."""
    n = 1
    while Demand.objects.filter(reference=f"{REFERENCE}-REPLAY-{n}").exists():
        n += 1
    source = case.demand
    demand = Demand(
        reference=f"{REFERENCE}-REPLAY-{n}",
        instrument=source.instrument,
        issuing_jurisdiction=source.issuing_jurisdiction,
        issuing_authority=source.issuing_authority,
        court=source.court,
        served_entity=source.served_entity,
        served_at=source.served_at,
        received_at=source.received_at,
        emergency=source.emergency,
        due_at=source.due_at,
        extended=source.extended,
        pending_since=source.pending_since,
    )
    accounts = [
        actions.AccountToLog(
            account=TargetAccount(
                identifier=account.identifier,
                service=account.service,
                us_person=account.us_person,
                residence=account.residence,
            ),
            holdings=[
                Holding(category=h.category, data_location=h.data_location, controlled_by=h.controlled_by)
                for h in account.holdings.all()
            ],
        )
        for account in source.accounts.prefetch_related("holdings")
    ]
    orders = [
        NondisclosureOrder(
            basis=order.basis,
            starts_on=order.starts_on,
            expires_on=order.expires_on,
            extensions=order.extensions,
            note=order.note,
        )
        for order in source.nondisclosure_orders.all()
    ]
    fresh = actions.log_demand(
        demand=demand,
        accounts=accounts,
        orders=orders,
        by=source.created_by,
        via="as a copy for the replay",
        counsel=case.counsel,
        as_of=sorted(set(case.analyses.values_list("as_of", flat=True))),
    )
    return fresh


@transaction.atomic
def replay(*, case: Case, by) -> Case:
    """Record the whole history on `case`, each step through its action."""
    for action, court, kwargs in HISTORY:
        getattr(actions, action)(case=case, by=by, expected_version=case.version, **_court(court), **kwargs)
    return case


class Command(BaseCommand):
    help = "Replay the Microsoft Ireland history (2013-2018) onto the demo case 13-MAG-2814, or a fresh copy of it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-fresh",
            action="store_true",
            help="Only replay onto the demo case itself, and only if it has no workflow history yet (load_demo).",
        )

    def handle(self, *args, if_fresh: bool = False, **options):
        case = Case.objects.select_related("demand", "counsel").filter(demand__reference=REFERENCE).first()
        if case is None:
            raise CommandError(f"The demo case {REFERENCE} does not exist: run `python manage.py load_demo` first.")
        by = case.counsel or get_user_model().objects.filter(username="counsel").first()
        with transaction.atomic():
            if not is_fresh(case):
                if if_fresh:
                    self.stdout.write(f"{REFERENCE} already has its history; nothing replayed.")
                    return
                case = copy_case(case)
            replay(case=case, by=by)
        self.stdout.write(
            f"Replayed {len(HISTORY)} steps onto {case.demand.reference}: {case.status} ({case.outcome}), "
            f"appeal {case.appeal_status} ({case.appeal_disposition}), contempt {case.contempt_status}."
        )
