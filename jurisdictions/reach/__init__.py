"""The reach engine: a pure function over frozen dataclasses (shared/RULES.md).

catalogue = load_catalogue_files()          # or the database loader
facts = facts_from_scenario(obj, catalogue)  # or built from the models
result = evaluate(catalogue, facts)
result_to_contract(obj["id"], result)
"""

from .contract import ScenarioError, facts_from_scenario, result_to_contract
from .engine import UnknownInstrumentError, evaluate
from .files import DEFAULT_DIRECTORY, catalogue_version, load_catalogue_files
from .types import (
    Account,
    Agreement,
    Bloc,
    Catalogue,
    CatalogueError,
    ConflictRule,
    Court,
    Deadline,
    Demand,
    DoctrinePeriod,
    Entity,
    Facts,
    Holding,
    Instrument,
    Item,
    Jurisdiction,
    Membership,
    Period,
    Reason,
    Result,
)

__all__ = [
    "DEFAULT_DIRECTORY",
    "Account",
    "Agreement",
    "Bloc",
    "Catalogue",
    "CatalogueError",
    "ConflictRule",
    "Court",
    "Deadline",
    "Demand",
    "DoctrinePeriod",
    "Entity",
    "Facts",
    "Holding",
    "Instrument",
    "Item",
    "Jurisdiction",
    "Membership",
    "Period",
    "Reason",
    "Result",
    "ScenarioError",
    "UnknownInstrumentError",
    "catalogue_version",
    "evaluate",
    "facts_from_scenario",
    "load_catalogue_files",
    "result_to_contract",
]
