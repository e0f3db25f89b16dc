"""The three tracks of a case and their transition tables, declared once.

The tables below are the only statement of which changes are allowed. The actions in
`cases/actions.py` check every change against them, the UI and the admin offer only
the changes they list, and the tests are generated from them. A state with no
targets is final.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from cases.models import AppealStatus, Case, ContemptStatus, Deadline, Status, TrackName

S, A, C = Status, AppealStatus, ContemptStatus

STATUS_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    # A demand can be closed at any point before it is answered (withdrawn, no data, moot).
    S.INTAKE: (S.ANALYSIS, S.CLOSED),
    S.ANALYSIS: (S.COUNSEL_REVIEW, S.CLOSED),
    # Review decides: produce, object and litigate, or close; it may also send the
    # case back to analysis when the facts were wrong.
    S.COUNSEL_REVIEW: (S.RESPONDING, S.LITIGATING, S.ANALYSIS, S.CLOSED),
    # A changed answer re-opens review; an objection refused in writing becomes litigation.
    S.RESPONDING: (S.CLOSED, S.LITIGATING, S.COUNSEL_REVIEW),
    # Litigation lost means producing after all.
    S.LITIGATING: (S.CLOSED, S.RESPONDING, S.COUNSEL_REVIEW),
    S.CLOSED: (),
}

# What storing a case's first analysis does by itself (`cases.analysis.analyse_case`,
# a system event by nobody): a case still in intake goes to counsel's review, so
# "intake" means "not analysed yet". No person takes this step: it is not in the table
# above, which drives the buttons.
ON_FIRST_ANALYSIS: Mapping[str, str] = {S.INTAKE: S.COUNSEL_REVIEW}
FIRST_ANALYSIS_NOTE = "Analysed: ready for counsel's review."

APPEAL_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    A.NONE: (A.NOTICE_FILED,),
    # Briefing is often not recorded as a step of its own; a summary disposition
    # decides without argument.
    A.NOTICE_FILED: (A.BRIEFING, A.ARGUED, A.DECIDED),
    A.BRIEFING: (A.ARGUED, A.DECIDED),
    A.ARGUED: (A.DECIDED,),
    # After a decision: rehearing, certiorari, or a notice of a further appeal
    # (e.g. from a district judge's ruling to the circuit).
    A.DECIDED: (A.REHEARING_PETITION, A.CERTIORARI_PETITION, A.NOTICE_FILED),
    # Rehearing denied: back to decided, the decision standing; granted: reargued.
    A.REHEARING_PETITION: (A.DECIDED, A.BRIEFING, A.ARGUED),
    A.CERTIORARI_PETITION: (A.CERTIORARI_GRANTED, A.CERTIORARI_DENIED),
    # Granted: briefed and argued, or decided summarily (e.g. vacated and remanded).
    A.CERTIORARI_GRANTED: (A.BRIEFING, A.ARGUED, A.DECIDED),
    A.CERTIORARI_DENIED: (),
}

CONTEMPT_TRANSITIONS: Mapping[str, tuple[str, ...]] = {
    # Contempt by stipulation needs no motion.
    C.NONE: (C.MOTION_PENDING, C.HELD),
    # A denied motion returns the track to none.
    C.MOTION_PENDING: (C.HELD, C.NONE),
    C.HELD: (C.PURGED, C.VACATED),
    # A new motion may follow a purged or vacated finding.
    C.PURGED: (C.MOTION_PENDING,),
    C.VACATED: (C.MOTION_PENDING,),
}


@dataclass(frozen=True)
class Track:
    name: str
    field: str
    states: type[models.TextChoices]
    transitions: Mapping[str, tuple[str, ...]]

    def allowed(self, state: str) -> tuple[str, ...]:
        return tuple(str(target) for target in self.transitions.get(state, ()))

    def check(self, current: str, to: str) -> None:
        """Raise ValidationError, keyed by the case's field, unless current → to is allowed."""
        if to not in self.states.values:
            known = ", ".join(self.states.values)
            raise ValidationError({self.field: f"'{to}' is not a {self.name} state; the states are: {known}."})
        allowed = self.allowed(current)
        if to not in allowed:
            targets = ", ".join(allowed) if allowed else f"none ({current} is final)"
            raise ValidationError(
                {self.field: f"The {self.name} cannot change from '{current}' to '{to}'; allowed: {targets}."}
            )


STATUS = Track(TrackName.STATUS.value, "status", Status, STATUS_TRANSITIONS)
APPEAL = Track(TrackName.APPEAL.value, "appeal_status", AppealStatus, APPEAL_TRANSITIONS)
CONTEMPT = Track(TrackName.CONTEMPT.value, "contempt_status", ContemptStatus, CONTEMPT_TRANSITIONS)
TRACKS: Mapping[str, Track] = {track.name: track for track in (STATUS, APPEAL, CONTEMPT)}

# Court and world events that are not transitions of a track (`record_event`).
COURT_EVENTS: Mapping[str, str] = {
    "demand_served": "Demand served",
    "motion_filed": "Motion filed",
    "motion_granted": "Motion granted",
    "motion_denied": "Motion denied",
    "hearing_held": "Hearing held",
    "order_issued": "Order issued",
    "order_affirmed": "Order affirmed",
    "order_reversed": "Order reversed",
    "stay_granted": "Stay granted",
    "stay_lifted": "Stay lifted",
    "legislation_enacted": "Legislation enacted",
    "filing": "Filing",
    "correspondence": "Correspondence",
    "note": "Note",
}


# What each kind of timeline entry is called on pages and in the memo.
EVENT_LABELS: Mapping[str, str] = {
    **COURT_EVENTS,
    "demand_logged": "Demand logged",
    "demand_amended": "Facts amended",
    "analysed": "Analysed",
    "analysis_changed": "Analysis changed",
    "analysis_signed_off": "Analysis signed off",
    "holding_overridden": "Holding overridden by counsel",
    "status_changed": "Status changed",
    "appeal_changed": "Appeal",
    "contempt_changed": "Contempt",
    "contempt_stayed": "Contempt finding stayed",
    "contempt_stay_lifted": "Stay of the contempt finding lifted",
    "deadline_added": "Deadline added",
    "deadline_moved": "Deadline moved",
    "deadline_met": "Deadline met",
    "deadline_cancelled": "Deadline cancelled",
    "ndo_extended": "Nondisclosure order extended",
    "ndo_expired": "Nondisclosure order expired",
    "customer_notice": "Customer notice task opened",
    "customer_notified": "Customer told the order expired",
    "production_recorded": "Production recorded",
    "document_added": "Document added",
    "correspondence_recorded": "Correspondence logged",
    "preservation_extended": "Preservation extended",
    "preservation_fulfilled": "Preservation fulfilled by a later demand",
    "disclosure_decided": "Disclosure decided",
    "assigned": "Counsel assigned",
}


# What a motion asks (`record_event`'s `motion_type`, kept in the event's data): the
# timeline says "Motion to quash filed", not "Motion filed".
MOTION_TYPES: Mapping[str, str] = {
    "quash": "Motion to quash",
    "modify": "Motion to modify",
    "comity": "Comity motion (§2703(h)(2))",
    "stay": "Motion to stay",
    "other": "Other motion",
}
MOTION_EVENTS: Mapping[str, str] = {"motion_filed": "filed", "motion_granted": "granted", "motion_denied": "denied"}
DEADLINE_EVENTS = ("deadline_added", "deadline_moved", "deadline_met", "deadline_cancelled")


def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def _day(text) -> str:
    """An event's ISO instant or date as "9 Dec 2026" (the day it names, in UTC)."""
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return str(text)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return f"{value.day} {value:%b %Y}"


def deadline_name(kind: str, label: str = "") -> str:
    """A deadline as the timeline names it: its kind's label, or a custom one's own."""
    name = str(Deadline.Kind(kind).label) if kind in Deadline.Kind.values else kind.replace("_", " ").capitalize()
    if kind == Deadline.Kind.CUSTOM and label:
        return label
    return f"{name}: {label}" if label and kind != Deadline.Kind.NDO_EXPIRY else name


def event_title(kind: str, data: Mapping | None) -> str:
    """A timeline entry in words, with what its data says: "Motion to quash filed",
    "Deadline moved: Comity motion (§2703(h)(2)) from 9 Dec 2026 to 16 Dec 2026"."""
    data = data if isinstance(data, Mapping) else {}
    motion = MOTION_TYPES.get(str(data.get("motion_type") or ""))
    if kind in MOTION_EVENTS and motion:
        return f"{motion} {MOTION_EVENTS[kind]}"
    if kind in DEADLINE_EVENTS and data.get("kind"):
        text = f"{event_label(kind)}: {deadline_name(str(data['kind']), str(data.get('label') or ''))}"
        if kind == "deadline_moved" and data.get("from") and data.get("due"):
            return f"{text} from {_day(data['from'])} to {_day(data['due'])}"
        if data.get("due"):
            return f"{text}, due {_day(data['due'])}"
        return text
    return event_label(kind)


def state_label(track: str, state: str) -> str:
    """A track state's name for people ("counsel_review" -> "Counsel review")."""
    spec = TRACKS.get(track)
    if spec is None or state not in spec.states.values:
        return state
    return str(spec.states(state).label)


def available_changes(case: Case) -> dict[str, tuple[str, ...]]:
    """The changes a person may offer on this case, per track: what drives the buttons.
    A closed case is final: none (the actions refuse them too)."""
    if case.is_closed:
        return dict.fromkeys(TRACKS, ())
    return {name: track.allowed(getattr(case, track.field)) for name, track in TRACKS.items()}
