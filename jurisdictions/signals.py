"""An edit of the catalogue in the admin records a new catalogue version, and open
cases are re-analysed against it (after the edit commits)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from jurisdictions import models
from jurisdictions.loader import record_version, syncing
from outbox.relay import enqueue

CATALOGUE_MODELS = (
    models.Jurisdiction,
    models.Bloc,
    models.Membership,
    models.Court,
    models.Period,
    models.LegalInstrument,
    models.DoctrinePeriod,
    models.ConflictRule,
    models.Agreement,
)


def _record_admin_version() -> None:
    version, created = record_version(source="admin", note="edited in the admin")
    if created:
        enqueue("cases.tasks.reanalyse_after_catalogue_change", version.pk)


def _version_after_commit() -> None:
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _record_admin_version for _, func, _ in connection.run_on_commit):
        return
    transaction.on_commit(_record_admin_version)


def catalogue_changed(sender, raw: bool = False, **kwargs) -> None:
    if raw or syncing.active:
        return
    if not models.CatalogueVersion.objects.exists():
        return  # nothing loaded yet: `load_catalogue` records the first version
    _version_after_commit()


def connect() -> None:
    for model in CATALOGUE_MODELS:
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-save-{model.__name__}")
        post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-delete-{model.__name__}")
    for field in (
        models.LegalInstrument.issuing_blocs,
        models.DoctrinePeriod.instruments,
        models.ConflictRule.countries,
        models.ConflictRule.except_countries,
        models.Agreement.parties,
        models.Agreement.party_blocs,
        models.Agreement.designates,
        models.Agreement.lifts,
    ):
        m2m_changed.connect(catalogue_changed, sender=field.through, dispatch_uid=f"catalogue-m2m-{field.through}")
