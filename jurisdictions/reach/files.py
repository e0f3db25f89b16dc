"""Reading the catalogue that ships with the product: `jurisdictions/catalogue/*.toml`.

Every file is a set of arrays of tables (`[[instrument]]`, `[[conflict]]`...); the
arrays of all files are concatenated in file-name order, so counsel can add a row in
any file. Each file documents its schema at the top.

Circuit names, the engine's own citations and the court rules (`FILES_ONLY`) have no
database table: the database loader takes them from the files (`shipped_sections`).
"""

import functools
import hashlib
import tomllib
import types
import typing
from dataclasses import MISSING, fields
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from .types import (
    Agreement,
    Authority,
    Bloc,
    Catalogue,
    CatalogueError,
    Circuit,
    Citation,
    ConflictRule,
    Court,
    CourtRule,
    DisclosurePermission,
    DoctrinePeriod,
    HolidayRule,
    HookPeriod,
    Instrument,
    Jurisdiction,
    Membership,
    Period,
)

DEFAULT_DIRECTORY = Path(__file__).resolve().parent.parent / "catalogue"

# TOML table name -> (Catalogue field, row type)
TABLES: dict[str, tuple[str, type]] = {
    "jurisdiction": ("jurisdictions", Jurisdiction),
    "bloc": ("blocs", Bloc),
    "membership": ("memberships", Membership),
    "court": ("courts", Court),
    "instrument": ("instruments", Instrument),
    "period": ("periods", Period),
    "doctrine_period": ("doctrine_periods", DoctrinePeriod),
    "agreement": ("agreements", Agreement),
    "conflict": ("conflict_rules", ConflictRule),
    "circuit": ("circuits", Circuit),
    "citation": ("citations", Citation),
    "court_rule": ("court_rules", CourtRule),
    "authority": ("authorities", Authority),
    "hook_period": ("hook_periods", HookPeriod),
    "disclosure_permission": ("disclosure_permissions", DisclosurePermission),
    "holiday": ("holiday_rules", HolidayRule),
}

# Catalogue fields read from the files only: no table, no admin form.
FILES_ONLY = (
    "circuits",
    "citations",
    "court_rules",
    "authorities",
    "hook_periods",
    "disclosure_permissions",
    "holiday_rules",
)


def _files(directory: Path | str) -> list[Path]:
    paths = sorted(Path(directory).glob("*.toml"))
    if not paths:
        raise CatalogueError(f"no catalogue files (*.toml) in {directory}")
    return paths


def catalogue_version(directory: Path | str = DEFAULT_DIRECTORY) -> str:
    """A content hash of the catalogue files: same files, same version."""
    digest = hashlib.sha256()
    for path in _files(directory):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def load_catalogue_files(directory: Path | str = DEFAULT_DIRECTORY) -> Catalogue:
    """The catalogue read from `directory`; raises CatalogueError on a bad row."""
    rows: dict[str, list] = {attr: [] for attr, _ in TABLES.values()}
    for path in _files(directory):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{path.name}: {exc}") from exc
        for table, entries in data.items():
            if table not in TABLES:
                raise CatalogueError(f"{path.name}: unknown table [[{table}]]")
            attr, row_type = TABLES[table]
            if not isinstance(entries, list):
                raise CatalogueError(f"{path.name}: {table} must be an array [[{table}]]")
            for number, entry in enumerate(entries, start=1):
                where = f"{path.name}: [[{table}]] #{number}"
                rows[attr].append(_row(row_type, entry, where))
    return Catalogue(version=catalogue_version(directory), **{k: tuple(v) for k, v in rows.items()})


def shipped_catalogue(directory: Path | str = DEFAULT_DIRECTORY) -> Catalogue:
    """`load_catalogue_files`, cached until a file's content changes (no database)."""
    directory = Path(directory).resolve()
    return _cached_catalogue(directory, catalogue_version(directory))


@functools.lru_cache(maxsize=4)
def _cached_catalogue(directory: Path, version: str) -> Catalogue:
    return load_catalogue_files(directory)


def shipped_sections(directory: Path | str = DEFAULT_DIRECTORY) -> dict[str, tuple]:
    """The `FILES_ONLY` fields of the catalogue in `directory`, as Catalogue keywords."""
    catalogue = shipped_catalogue(directory)
    return {name: getattr(catalogue, name) for name in FILES_ONLY}


def _row(row_type: type, entry: dict, where: str):
    known = {f.name: f for f in fields(row_type) if f.init}
    unknown = set(entry) - set(known)
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    values = {}
    for name, f in known.items():
        if name not in entry:
            if f.default is MISSING and f.default_factory is MISSING:
                raise CatalogueError(f"{where}: missing field {name!r}")
            continue
        values[name] = _coerce(entry[name], f.type, f"{where}: {name}")
    return row_type(**values)


def _coerce(value, annotation, where: str):
    """Check a TOML value against a row field's annotation; lists become tuples."""
    optional = False
    if isinstance(annotation, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if value is None and optional:
        return None
    origin = typing.get_origin(annotation)
    if origin in (tuple, frozenset):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogueError(f"{where}: expected a list of strings")
        return tuple(value) if origin is tuple else frozenset(value)
    if annotation is date:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise CatalogueError(f"{where}: expected a date such as 2018-03-23")
        return value
    if annotation is bool:
        if not isinstance(value, bool):
            raise CatalogueError(f"{where}: expected true or false")
        return value
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CatalogueError(f"{where}: expected a whole number")
        return value
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        try:
            return annotation(value)
        except ValueError:
            raise CatalogueError(f"{where}: expected one of {', '.join(annotation)}") from None
    if not isinstance(value, str):
        raise CatalogueError(f"{where}: expected a string")
    return value
