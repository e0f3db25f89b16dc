"""Every change to a case's file: one keyword-only function per domain verb,
grouped by job (common, intake, amend, assign, tracks, review, events, deadlines,
orders, reminders).

The UI, the API, the admin and the Celery tasks call these and nothing else writes
the track fields. Each one is atomic and, in that one transaction:

1. locks the case row (`select_for_update`) and compares its `version` with the
   caller's `expected_version` (None, for tasks, skips the comparison but still
   waits for the lock), raising `StaleCase` when someone else changed it first;
2. checks the change against the transition tables in `cases/workflow.py`, raising
   `ValidationError` keyed by the offending field and naming what is allowed;
3. applies it, bumps the version, and writes exactly one CaseEvent.

A refused change raises before anything is written, so nothing is half done.
"""

from cases.actions.amend import (
    amend_demand,
    amend_refusal,
)
from cases.actions.assign import (
    assign,
)
from cases.actions.common import (
    FUTURE_GRACE,
    MANUAL_DEADLINE_KINDS,
    MAY_PREDATE_DEMAND,
    StaleCase,
)
from cases.actions.deadlines import (
    add_deadline,
    cancel_deadline,
    complete_deadline,
    move_deadline,
)
from cases.actions.events import (
    record_event,
)
from cases.actions.intake import (
    AccountToLog,
    demand_errors,
    log_demand,
    schedule_analysis,
)
from cases.actions.orders import (
    complete_case_task,
    complete_customer_notice,
    extend_nondisclosure_order,
    open_customer_notice_task,
)
from cases.actions.reminders import (
    notify_of_emergency,
    remind_of_deadline,
)
from cases.actions.review import (
    override_holding,
    sign_off_analysis,
)
from cases.actions.tracks import (
    Place,
    TrackDetails,
    advance_appeal,
    change_contempt,
    change_status,
    deny_contempt_motion,
    file_appeal,
    hold_in_contempt,
    lift_contempt_stay,
    move_for_contempt,
    purge_contempt,
    stay_contempt,
    take_track_step,
    vacate_contempt,
)

__all__ = [
    "Place",
    "TrackDetails",
    "take_track_step",
    "AccountToLog",
    "assign",
    "amend_demand",
    "amend_refusal",
    "demand_errors",
    "log_demand",
    "schedule_analysis",
    "FUTURE_GRACE",
    "MANUAL_DEADLINE_KINDS",
    "MAY_PREDATE_DEMAND",
    "StaleCase",
    "add_deadline",
    "advance_appeal",
    "cancel_deadline",
    "change_contempt",
    "change_status",
    "complete_case_task",
    "complete_customer_notice",
    "complete_deadline",
    "deny_contempt_motion",
    "extend_nondisclosure_order",
    "file_appeal",
    "hold_in_contempt",
    "lift_contempt_stay",
    "move_deadline",
    "move_for_contempt",
    "notify_of_emergency",
    "open_customer_notice_task",
    "override_holding",
    "purge_contempt",
    "record_event",
    "remind_of_deadline",
    "sign_off_analysis",
    "stay_contempt",
    "vacate_contempt",
]
