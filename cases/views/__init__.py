"""The legal team's pages, one module per job: dashboard, case list, case file,
counsel's steps, reports. Every view checks the role itself (views/common.py)."""

from cases.views.amend import amend_demand
from cases.views.case_file import case_analysis, case_detail, event_document
from cases.views.dashboard import healthz, home
from cases.views.lists import case_list
from cases.views.reports import (
    case_export_json,
    case_memo_pdf,
    transparency_report,
    transparency_report_csv,
    transparency_report_json,
)
from cases.views.steps import (
    add_deadline,
    assign,
    cancel_deadline,
    change_track,
    complete_deadline,
    contempt_stay,
    move_deadline,
    override_holding,
    record_court_event,
    sign_off,
)

__all__ = [
    "amend_demand",
    "add_deadline",
    "assign",
    "cancel_deadline",
    "case_analysis",
    "case_detail",
    "case_export_json",
    "case_list",
    "case_memo_pdf",
    "change_track",
    "complete_deadline",
    "contempt_stay",
    "event_document",
    "healthz",
    "home",
    "move_deadline",
    "override_holding",
    "record_court_event",
    "sign_off",
    "transparency_report",
    "transparency_report_csv",
    "transparency_report_json",
]
