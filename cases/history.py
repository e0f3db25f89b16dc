"""A case's audit history: who changed what and when, across the demand, its accounts,
holdings and nondisclosure orders, the case itself, and its record: productions and
their items, documents, correspondence and emergency disclosure decisions.

One diff, for the case file's page and for the export: each history record is
compared with the previous record of the same row by django-simple-history's
`diff_against()`, over the fields a person edits (its default, which leaves out
`created_at` and `updated_at`) less the case's version counter, which only says that
the row was saved (see `cases/actions/common.py`). A record that changes none of
them is no entry; a created or deleted row, and a row whose earlier records are not
in the case's history, is.

One query per history table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import models

from cases.models import (
    Case,
    CaseDocument,
    Correspondence,
    EmergencyDisclosureDecision,
    Production,
    ProductionItem,
)
from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
NOT_FACTS = ("version",)  # bookkeeping: it changes on every save of a case
SOURCES = (
    "demand",
    "account",
    "holding",
    "nondisclosure_order",
    "case",
    "production",
    "production_item",
    "document",
    "correspondence",
    "disclosure_decision",
)


@dataclass(frozen=True)
class Change:
    field: models.Field  # the tracked model's field
    old: Any
    new: Any


@dataclass(frozen=True)
class Entry:
    source: str  # one of SOURCES
    record: Any  # the history record: the row's values then, `history_user`, `history_date`
    previous: Any  # the previous record of the same row in the case's history, if any
    changes: tuple[Change, ...]  # since `previous`, in the model's field order

    @property
    def object_id(self) -> int:
        return self.record.id

    @property
    def at(self):
        return self.record.history_date

    @property
    def by(self):
        return self.record.history_user

    @property
    def action(self) -> str:
        return HISTORY_TYPES.get(self.record.history_type, self.record.history_type)


def _records(case: Case, sources: Sequence[str]) -> list[tuple[str, models.QuerySet]]:
    # Every account the demand ever had, so a deleted account's holdings stay on record.
    account_ids = TargetAccount.history.filter(demand_id=case.demand_id).values("id")
    queries = {
        "demand": Demand.history.filter(id=case.demand_id),
        "account": TargetAccount.history.filter(demand_id=case.demand_id),
        "holding": Holding.history.filter(account_id__in=account_ids),
        "nondisclosure_order": NondisclosureOrder.history.filter(demand_id=case.demand_id),
        "case": Case.history.filter(id=case.pk),
        "production": Production.history.filter(case_id=case.pk),
        "production_item": ProductionItem.history.filter(
            production_id__in=Production.history.filter(case_id=case.pk).values("id")
        ),
        "document": CaseDocument.history.filter(case_id=case.pk),
        "correspondence": Correspondence.history.filter(case_id=case.pk),
        "disclosure_decision": EmergencyDisclosureDecision.history.filter(case_id=case.pk),
    }
    return [(source, queries[source]) for source in sources]


@cache
def _fields(model: type[models.Model]) -> dict[str, models.Field]:
    """The tracked model's fields by name, in their declared order."""
    return {f.name: f for f in model._meta.concrete_fields}


def _diff(record, previous) -> tuple[Change, ...]:
    fields = _fields(record.instance_type)
    order = list(fields)
    changes = record.diff_against(previous, excluded_fields=NOT_FACTS).changes  # sorted by name
    return tuple(Change(fields[c.field], c.old, c.new) for c in sorted(changes, key=lambda c: order.index(c.field)))


def audit_history(case: Case, *, sources: Sequence[str] = SOURCES) -> list[Entry]:
    """The history of the case's rows (of `sources`), source by source, each row's
    records oldest first: one query per source."""
    entries = []
    for source, queryset in _records(case, sources):
        previous: dict[int, Any] = {}
        for record in queryset.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            previous[record.id] = record
            changes = _diff(record, before) if before is not None else ()
            if record.history_type == "~" and before is not None and not changes:
                continue
            entries.append(Entry(source, record, before, changes))
    return entries
