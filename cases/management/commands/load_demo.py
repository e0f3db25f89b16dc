"""Demo users (one per role) and demo cases, among them Microsoft Ireland. Idempotent.

The demo passwords are published (README.md): with DEBUG off each new demo user gets
a random password instead, printed once, and the command refuses to add the demo to a
database that already holds cases (a live caseload) unless given --allow-production.
A fresh database with DEBUG off (a staging box, a benchmark) gets the demo with random
passwords."""

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import roles
from cases import actions
from jurisdictions.models import CatalogueVersion, ControllingEntity, Court, DataLocation, LegalInstrument
from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount

UTC = dt.UTC

# username, password, groups, staff. Demo passwords only: `make run` is a local demo.
USERS = [
    ("intake", "intake-demo-pass", [roles.INTAKE], False),
    ("counsel", "counsel-demo-pass", [roles.COUNSEL], False),
    ("viewer", "viewer-demo-pass", [roles.VIEWER], False),
    ("api-client", "api-client-demo-pass", [roles.API_CLIENT], False),
    ("admin", "admin-demo-pass", [roles.COUNSEL], True),
]

ENTITIES: list[tuple[str, str, str | None, list[str], list[str], list[str]]] = [
    # name, country, parent, establishments, offers services in, designated for
    ("Microsoft Corporation", "US", None, [], ["*"], []),
    ("Microsoft Ireland Operations Limited", "IE", "Microsoft Corporation", [], [], ["Microsoft Corporation"]),
    ("Microsoft Limited", "GB", "Microsoft Corporation", [], [], []),
    ("Microsoft Deutschland GmbH", "DE", "Microsoft Corporation", [], [], []),
    ("Microsoft Informatica Ltda", "BR", "Microsoft Corporation", [], [], []),
]

LOCATIONS = [
    ("Quincy, Washington (US West)", "US", "Microsoft Corporation"),
    ("San Antonio, Texas (US South)", "US", "Microsoft Corporation"),
    ("Dublin (North Europe)", "IE", "Microsoft Ireland Operations Limited"),
    ("Amsterdam (West Europe)", "NL", "Microsoft Ireland Operations Limited"),
    ("Frankfurt (Germany West Central)", "DE", "Microsoft Deutschland GmbH"),
    ("London (UK South)", "GB", "Microsoft Limited"),
    ("Zurich (Switzerland North)", "CH", "Microsoft Ireland Operations Limited"),
    ("Sao Paulo (Brazil South)", "BR", "Microsoft Informatica Ltda"),
]

# The Microsoft Ireland warrant: In re Warrant to Search a Certain E-Mail Account
# Controlled and Maintained by Microsoft Corp., 13 Mag. 2814 (S.D.N.Y.).
CASES: list[dict[str, Any]] = [
    {
        "reference": "13-MAG-2814",
        "instrument": "US-SCA-WARRANT",
        "issuer": "US",
        "authority": "U.S. Department of Justice (U.S. Attorney, S.D.N.Y.)",
        "court": "S.D.N.Y.",
        "served_entity": "Microsoft Corporation",
        "served_at": dt.datetime(2013, 12, 4, tzinfo=UTC),
        "accounts": [
            (
                "target@example.com",
                "Outlook.com",
                None,
                None,
                [
                    ("content", "Dublin (North Europe)", "Microsoft Corporation"),
                    ("subscriber", "Quincy, Washington (US West)", "Microsoft Corporation"),
                    ("traffic", "Quincy, Washington (US West)", "Microsoft Corporation"),
                ],
            ),
        ],
        "ndo": ("18 U.S.C. §2705(b)", dt.date(2013, 12, 4), None),
        # Analysed as the law stood when served, when the Second Circuit ruled, and
        # when the CLOUD Act took effect: the timeline shows the doctrine change.
        "as_of": [dt.date(2013, 12, 4), dt.date(2016, 7, 14), dt.date(2018, 3, 23)],
    },
    {
        "reference": "COPO-2026-0142",
        "instrument": "GB-COPO",
        "issuer": "GB",
        "authority": "Metropolitan Police Service",
        "court": None,
        "served_entity": "Microsoft Corporation",
        "served_at": dt.datetime(2026, 10, 22, 9, 30, tzinfo=UTC),
        "accounts": [
            (
                "suspect.one@example.net",
                "Outlook.com",
                False,
                "GB",
                [
                    ("content", "Quincy, Washington (US West)", "Microsoft Corporation"),
                    ("subscriber", "Quincy, Washington (US West)", "Microsoft Corporation"),
                ],
            ),
            (
                "us.contact@example.org",
                "Outlook.com",
                True,
                "US",
                [
                    ("content", "San Antonio, Texas (US South)", "Microsoft Corporation"),
                ],
            ),
        ],
        "ndo": None,
        "as_of": [None],
    },
    {
        "reference": "EPO-DE-2026-0007",
        "instrument": "EU-EPO",
        "issuer": "DE",
        "authority": "Staatsanwaltschaft Berlin",
        "court": None,
        "served_entity": "Microsoft Ireland Operations Limited",
        "served_at": dt.datetime(2026, 11, 18, 14, 5, tzinfo=UTC),
        "accounts": [
            (
                "nutzer@example.de",
                "Outlook.com",
                False,
                "DE",
                [
                    ("content", "Dublin (North Europe)", "Microsoft Corporation"),
                    ("traffic", "Zurich (Switzerland North)", "Microsoft Ireland Operations Limited"),
                ],
            ),
        ],
        "ndo": None,
        "as_of": [None],
    },
    {
        "reference": "BR-0012345-67.2026.8.26.0050",
        "instrument": "BR-MCI-ORDER",
        "issuer": "BR",
        "authority": "Tribunal de Justiça de São Paulo",
        "court": None,
        "served_entity": "Microsoft Informatica Ltda",
        "served_at": dt.datetime(2026, 11, 10, 13, 0, tzinfo=UTC),
        "accounts": [
            (
                "usuario@example.com.br",
                "Outlook.com",
                False,
                "BR",
                [
                    ("subscriber", "Sao Paulo (Brazil South)", "Microsoft Informatica Ltda"),
                    ("content", "Quincy, Washington (US West)", "Microsoft Corporation"),
                ],
            ),
        ],
        "ndo": None,
        "as_of": [None],
    },
    # A §2703(f) preservation request ahead of a warrant: reaches the data wherever it
    # is stored (control), discloses nothing, and the case shows when it expires.
    {
        "reference": "PRES-WDWA-2026-0311",
        "instrument": "US-SCA-PRESERVATION",
        "issuer": "US",
        "authority": "Federal Bureau of Investigation, Seattle Field Office",
        "court": "W.D. Wash.",
        "served_entity": "Microsoft Corporation",
        "served_at": dt.datetime(2026, 11, 24, 17, 0, tzinfo=UTC),
        "extended": False,
        "accounts": [
            (
                "preserve.me@example.com",
                "Outlook.com",
                None,
                None,
                [
                    ("content", "Dublin (North Europe)", "Microsoft Corporation"),
                    ("subscriber", "Quincy, Washington (US West)", "Microsoft Corporation"),
                ],
            ),
        ],
        "ndo": ("18 U.S.C. §2705(b)", dt.date(2026, 11, 24), dt.date(2027, 11, 24)),
        "as_of": [None],
    },
]


class Command(BaseCommand):
    help = "Load demo users, the provider's entity and data map, and demo cases (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo with DEBUG off too; new demo users then get random passwords, printed once.",
        )

    def handle(self, *args, **options):
        # DEBUG as configured (settings.py): a test run turns settings.DEBUG itself off.
        production = not getattr(settings, "DEMO_PUBLISHED_PASSWORDS", settings.DEBUG)
        if production and not options["allow_production"] and Demand.objects.exists():
            raise CommandError(
                "DEBUG is off and this database already holds cases: this looks like production, and demo "
                "cases would mix with a live caseload. Run with DEBUG=1 on a development database, or pass "
                "--allow-production to add the demo anyway (its users get random passwords)."
            )
        if not CatalogueVersion.objects.exists():
            raise CommandError("The catalogue is not loaded: run `python manage.py load_catalogue` first.")
        with transaction.atomic():
            roles.ensure_groups()
            passwords = self._users(random_passwords=production)
            self._data_map()
            created = [self._case(spec) for spec in CASES]
            # The Microsoft Ireland case carries its whole history, 2013 to 2018; a
            # second run finds it there and replays nothing.
            call_command("replay_msft_ireland", if_fresh=True, stdout=self.stdout)
        new = sum(created)
        self.stdout.write(f"Demo data: {len(CASES)} cases ({new} new, {len(CASES) - new} already there).")
        if production:
            self.stdout.write("Demo logins (random passwords, shown this once; users already there keep theirs):")
        else:
            self.stdout.write("Demo logins (local demo only; change them for anything else):")
        for username, _, groups, staff in USERS:
            role = ", ".join(groups) + (" + catalogue admin" if staff else "")
            password = passwords.get(username, "(unchanged)")
            self.stdout.write(f"  {username:<11} / {password:<22} ({role})")

    def _users(self, *, random_passwords: bool) -> dict[str, str]:
        """The demo users, and the password each new one was given (the published one,
        or with random_passwords a new random one)."""
        User = get_user_model()
        given = {}
        for username, password, groups, staff in USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": staff, "is_superuser": staff, "email": f"{username}@localhost"}
            )
            if created or not random_passwords:
                given[username] = secrets.token_urlsafe(18) if random_passwords else password
            if created:
                user.set_password(given[username])
                user.save(update_fields=["password"])
            user.groups.add(*Group.objects.filter(name__in=groups))
        return given

    def _data_map(self) -> None:
        for name, country, parent, establishments, services, _ in ENTITIES:
            ControllingEntity.objects.update_or_create(
                name=name,
                defaults={
                    "country_id": country,
                    "parent": ControllingEntity.objects.get(name=parent) if parent else None,
                    "establishments": establishments,
                    "offers_services_in": services,
                },
            )
        for name, *_, designated in ENTITIES:
            ControllingEntity.objects.get(name=name).designated_for.set(
                ControllingEntity.objects.filter(name__in=designated)
            )
        for name, country, operator in LOCATIONS:
            DataLocation.objects.update_or_create(
                name=name, defaults={"country_id": country, "operated_by": ControllingEntity.objects.get(name=operator)}
            )

    def _case(self, spec: dict) -> bool:
        if Demand.objects.filter(reference=spec["reference"]).exists():
            return False
        demand = Demand(
            reference=spec["reference"],
            instrument=LegalInstrument.objects.get(code=spec["instrument"]),
            issuing_jurisdiction_id=spec["issuer"],
            issuing_authority=spec["authority"],
            court=Court.objects.get(name=spec["court"]) if spec["court"] else None,
            served_entity=ControllingEntity.objects.get(name=spec["served_entity"]),
            served_at=spec["served_at"],
            received_at=spec["served_at"],
            extended=spec.get("extended", False),
            pending_since=spec.get("pending_since"),
        )
        accounts = [
            actions.AccountToLog(
                account=TargetAccount(
                    identifier=identifier, service=service, us_person=us_person, residence_id=residence
                ),
                holdings=[
                    Holding(
                        category=category,
                        data_location=DataLocation.objects.get(name=location),
                        controlled_by=ControllingEntity.objects.get(name=controller),
                    )
                    for category, location, controller in holdings
                ],
            )
            for identifier, service, us_person, residence, holdings in spec["accounts"]
        ]
        orders = []
        if spec["ndo"]:
            basis, starts_on, expires_on = spec["ndo"]
            orders.append(NondisclosureOrder(basis=basis, starts_on=starts_on, expires_on=expires_on))
        users = get_user_model().objects
        actions.log_demand(
            demand=demand,
            accounts=accounts,
            orders=orders,
            by=users.get(username="intake"),
            via="from the demo data",
            counsel=users.get(username="counsel"),
            as_of=spec["as_of"],
        )
        return True
