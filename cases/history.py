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

One query per history table. `Names` then says the rows the entries point at by
their names, as they are now, for every foreign key value a record *had* (a holding's
old location, an account's old residence, the counsel assigned then): one query per
related table, whatever the number of entries.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, cast

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


class Names:
    """The name of each row a foreign key value of the entries points at, read once:
    `names.of(field, value)` for a Change's field and value, `names.at(record, name)`
    for a history record's own value of field `name` (the value it had then, not the
    current row's). A row deleted since keeps its id, said so ("#12, deleted")."""

    def __init__(self, entries: Sequence[Entry], *, shown: Mapping[str, Sequence[str]] = MappingProxyType({})) -> None:
        """`shown`: per source, the foreign keys of its records said besides the changes
        (e.g. {"holding": ("data_location",)}); the changed ones always are."""
        wanted: dict[type[models.Model], set] = {}
        for entry in entries:
            fields = _fields(entry.record.instance_type)
            for name in shown.get(entry.source, ()):
                value = getattr(entry.record, fields[name].attname)
                if value is not None:
                    related = cast(type[models.Model], fields[name].related_model)  # a foreign key's
                    wanted.setdefault(related, set()).add(value)
            for change in entry.changes:
                if change.field.is_relation and change.field.many_to_one:
                    for value in (change.old, change.new):
                        if value not in (None, ""):
                            related = cast(type[models.Model], change.field.related_model)  # many-to-one
                            wanted.setdefault(related, set()).add(value)
        self._names: dict[tuple[type[models.Model], Any], str] = {}
        for model, keys in wanted.items():
            for row in model._default_manager.filter(pk__in=keys):
                self._names[(model, row.pk)] = _name(row)

    def of(self, field: models.Field, value: Any) -> str:
        """A change's value in words: a related row by its name, a choice by its label."""
        if value is None or value == "":
            return "—"
        if field.is_relation and field.many_to_one:
            return self._names.get((cast(type[models.Model], field.related_model), value)) or f"#{value}, deleted"
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return str(value)

    def at(self, record: Any, name: str) -> str | None:
        """The name of the row `record`'s foreign key `name` pointed at then; None if none."""
        field = _fields(record.instance_type)[name]
        value = getattr(record, field.attname)
        return None if value is None else self.of(field, value)


def _name(row: models.Model) -> str:
    """A related row as people know it: a user by user name, anything else by its str."""
    if hasattr(row, "get_username"):
        return row.get_username()
    return str(row)


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
