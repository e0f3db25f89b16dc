from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jurisdictions import reach
from jurisdictions.loader import store_catalogue
from outbox.relay import enqueue


class Command(BaseCommand):
    help = "Load or update the rule catalogue from its data files (idempotent) and record its version."

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(settings.CATALOGUE_DIR), help="Directory of *.toml files.")

    def handle(self, *args, directory: str, **options):
        try:
            catalogue = reach.load_catalogue_files(Path(directory))
        except reach.CatalogueError as exc:
            raise CommandError(f"catalogue files are invalid: {exc}") from None
        version, created = store_catalogue(catalogue, note=f"loaded from {Path(directory).name}/ ({catalogue.version})")
        counts = (
            f"{len(catalogue.jurisdictions)} jurisdictions, {len(catalogue.instruments)} instruments, "
            f"{len(catalogue.agreements)} agreements, {len(catalogue.conflict_rules)} conflict rules, "
            f"{len(catalogue.courts)} courts"
        )
        state = "new version recorded" if created else "unchanged"
        self.stdout.write(f"Catalogue {version} ({state}): {counts}.")
        if created:
            enqueue("cases.tasks.reanalyse_after_catalogue_change", version.pk)
