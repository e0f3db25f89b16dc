"""Re-running a case's demand as of another date: a what-if kept on the case file.

The run reads the demand's facts as they stand and the catalogue as of the date
(doctrine periods, memberships, agreements: the engine dates them itself), and is
stored as a WhatIfRun. It is never the case's analysis: the analysis in force, its
sign-off and the deadlines that follow it are not touched (cases.analysis is the one
place an Analysis is written).
"""

import datetime as dt

from django.core.exceptions import ValidationError

from cases.analysis import changes_in_words, describe_changes
from cases.facts import facts_for_demand
from cases.models import Analysis, Case, WhatIfRun
from jurisdictions import reach
from jurisdictions.loader import CatalogueNotLoaded, current_catalogue

# The days a re-run may be dated: the engine reads any day, but one outside these is
# a slip of the keyboard (0226 for 2026), not a question anyone asks.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def rerun_as_of(*, case: Case, as_of: dt.date, by) -> WhatIfRun:
    """Run the engine on the case's demand as of `as_of` and store the answer as a
    what-if run by `by`, beside the analysis then in force. Raises ValidationError
    (keyed `as_of`) for a date outside EARLIEST..LATEST, or when no catalogue is loaded."""
    if not EARLIEST <= as_of <= LATEST:
        raise ValidationError({"as_of": f"Pick a day between {EARLIEST.isoformat()} and {LATEST.isoformat()}."})
    try:
        version, catalogue = current_catalogue()
    except CatalogueNotLoaded as exc:
        raise ValidationError(str(exc)) from None
    facts = facts_for_demand(case.demand_id, as_of)
    result = reach.result_to_contract(case.demand.reference, reach.evaluate(catalogue, facts))
    return WhatIfRun.objects.create(
        case=case,
        as_of=as_of,
        catalogue_version=version,
        result=result,
        analysis=case.latest_analysis,
        created_by=by,
    )


def compared(run: WhatIfRun, current: Analysis | None) -> dict:
    """How a run's answer compares with the case's analysis in force: {"same": bool or
    None (nothing to compare with), "changes": [...] from the analysis to the run,
    "in_words": one line}."""
    if current is None:
        return {"same": None, "changes": [], "in_words": "No analysis yet to compare with."}
    changes = describe_changes(current.result, run.result)
    if not changes:
        return {"same": True, "changes": [], "in_words": "Same answer as the current analysis."}
    return {"same": False, "changes": changes, "in_words": f"Differs: {changes_in_words(changes, limit=3)}"}
