import datetime as dt
import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import DateField, DateTimeField, RequestSerializer
from cases import deadlines, sign_off, workflow
from cases.actions import MANUAL_DEADLINE_KINDS
from cases.analysis import answer_of
from cases.models import (
    Analysis,
    AppealDisposition,
    Case,
    CaseEvent,
    ContemptKind,
    Deadline,
    HoldingOverride,
    Outcome,
    Reach,
    Route,
    TrackName,
)
from jurisdictions.models import Category, Doctrine, Kind
from requests_app.models import RequestKind


class DeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = ["id", "kind", "label", "due_at", "source", "state", "computation", "analysis", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True, allow_null=True)
    court = serializers.CharField(source="court.name", default=None, read_only=True, allow_null=True)

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "track",
            "from_state",
            "to_state",
            "occurred_on",
            "recorded_at",
            "by",
            "court",
            "court_name",
            "citation",
            "note",
            "data",
        ]


class OverrideSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = HoldingOverride
        fields = ["item", "account", "category", "storage", "reach", "route", "reason", "by", "created_at"]
        read_only_fields = fields


class AnswerItemSerializer(serializers.Serializer):
    """One holding's answer, in the order of `result.items` (RULES.md §9.2)."""

    account = serializers.CharField()
    category = serializers.ChoiceField(choices=Category.choices)
    storage = serializers.CharField(allow_null=True, help_text="Country code; null when unknown or sharded.")
    controlled_by = serializers.CharField()
    reach = serializers.ChoiceField(choices=Reach.choices)
    route = serializers.ChoiceField(choices=Route.choices)
    conflicts = serializers.ListField(child=serializers.CharField())
    comity_motion = serializers.BooleanField()
    voluntary = serializers.BooleanField(
        allow_null=True,
        help_text="US law permits the US provider that controls it to disclose it voluntarily to the foreign "
        "requester (18 U.S.C. §2702(c)(6)); null in an analysis made before RULES.md v3.",
    )


class AnswerDeadlinesSerializer(serializers.Serializer):
    """The engine's four deadlines (RULES.md §2 step 5), UTC instants or null."""

    response_due = DateTimeField(allow_null=True)
    comity_motion_due = DateTimeField(allow_null=True)
    preservation_expires = DateTimeField(
        allow_null=True, help_text="A preservation's end (§2703(f), Art. 11(1)); the extended one when extended."
    )
    conflict_objection_due = DateTimeField(
        allow_null=True, help_text="EU-EPO: the reasoned objection to a conflicting third-country law (Art. 17)."
    )


class AnswerSerializer(serializers.Serializer):
    """The engine's answer in `result`, typed: what `fingerprint` covers."""

    kind = serializers.ChoiceField(choices=Kind.choices, help_text="`production` or `preservation`.")
    doctrine = serializers.ChoiceField(choices=Doctrine.choices, allow_null=True)
    doctrine_authorities = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The ids of the authorities the doctrine rests on (RULES.md §4.2), oldest first; null in an "
        "analysis made before RULES.md v3.",
    )
    items = AnswerItemSerializer(many=True)
    deadlines = AnswerDeadlinesSerializer()


class SignOffStateSerializer(serializers.Serializer):
    """Which answer counsel signed off (the analysis, who, when) and whether that sign-off
    still stands; when it does not, since when and why. `awaiting` and `voided` both
    mean the case awaits a sign-off of its latest analysis."""

    state = serializers.ChoiceField(
        choices=sign_off.STATE_CHOICES,
        help_text="; ".join(f"`{state}`: {meaning}" for state, meaning in sign_off.STATES.items()),
    )
    signed_analysis = serializers.IntegerField(
        source="analysis", allow_null=True, help_text="The analysis signed off (the newest ever signed); null if none."
    )
    signed_by = serializers.CharField(allow_null=True, help_text="Who signed it off.")
    signed_at = serializers.DateTimeField(allow_null=True)
    voided_at = serializers.DateTimeField(allow_null=True, help_text="When the sign-off stopped standing.")
    voided_because = serializers.CharField(
        allow_null=True,
        help_text='Why it no longer stands, e.g. "counsel overrode holding 2 (control/direct)", '
        '"a newer analysis (as of 2026-01-05) replaced it".',
    )
    in_words = serializers.CharField(
        help_text='As the case file says it: "Signed off by carl on 2026-01-05 (analysis 12, as of 2026-01-04) — '
        'no longer stands: counsel overrode holding 2 (control/direct)".'
    )


class AnalysisSerializer(serializers.ModelSerializer):
    """The engine's result as computed, with counsel's overrides beside it (by holding, oldest
    first: the latest override of a holding, `item` indexing `result.items`, is the answer)."""

    catalogue_version = serializers.CharField(source="catalogue_version.__str__", read_only=True)
    signed_off_by = serializers.CharField(
        source="signed_off_by.username", default=None, read_only=True, allow_null=True
    )
    sign_off_stands = serializers.BooleanField(
        read_only=True, help_text="Signed off, and no override, amendment or newer analysis has voided it since."
    )
    sign_off_voided_because = serializers.CharField(
        source="sign_off_voided_reason",
        read_only=True,
        help_text="Why the sign-off no longer stands; blank if it does.",
    )
    overrides = OverrideSerializer(many=True, read_only=True)
    answer = serializers.SerializerMethodField()

    class Meta:
        model = Analysis
        fields = [
            "id",
            "as_of",
            "catalogue_version",
            "doctrine",
            "answer",
            "result",
            "created_at",
            "signed_off_by",
            "signed_off_at",
            "sign_off_note",
            "sign_off_stands",
            "sign_off_voided_at",
            "sign_off_voided_because",
            "overrides",
        ]

    @extend_schema_field(AnswerSerializer)
    def get_answer(self, analysis: Analysis) -> dict:
        answer = answer_of(analysis.result)
        answer["deadlines"] = {
            name: dt.datetime.fromisoformat(value) if value else None for name, value in answer["deadlines"].items()
        }
        return AnswerSerializer(answer).data


class NextDeadlineField(serializers.Serializer):
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()


class CaseSerializer(serializers.ModelSerializer):
    # Blank until set: declared so the schema's enums admit "".
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    appeal_disposition = serializers.ChoiceField(choices=AppealDisposition.choices, allow_blank=True, read_only=True)
    contempt_kind = serializers.ChoiceField(choices=ContemptKind.choices, allow_blank=True, read_only=True)
    reference = serializers.CharField(source="demand.reference")
    instrument = serializers.CharField(source="demand.instrument.code")
    issuing_jurisdiction = serializers.CharField(source="demand.issuing_jurisdiction_id")
    served_entity = serializers.CharField(source="demand.served_entity.name")
    kind = serializers.ChoiceField(
        source="demand.instrument.kind", choices=Kind.choices, help_text="What the demand asks for (its instrument's)."
    )
    extended = serializers.BooleanField(source="demand.extended", help_text="A preservation extended once.")
    request_kind = serializers.ChoiceField(
        source="demand.request_kind", choices=RequestKind.choices, help_text="What the requester asks of the provider."
    )
    pending_since = DateField(
        source="demand.pending_since", allow_null=True, help_text="Indian process: the day its proceeding began."
    )
    counsel = serializers.CharField(source="counsel.username", default=None, read_only=True, allow_null=True)
    counsel_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="The assigned counsel's user id.")
    sign_off = SignOffStateSerializer(
        read_only=True, allow_null=True, help_text="Null until the case's first analysis (nothing to sign yet)."
    )
    next_deadline_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_deadline_kind = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "instrument",
            "kind",
            "issuing_jurisdiction",
            "served_entity",
            "extended",
            "request_kind",
            "pending_since",
            "status",
            "outcome",
            "appeal_status",
            "appeal_disposition",
            "contempt_status",
            "contempt_kind",
            "contempt_by_stipulation",
            "contempt_sanctions_amount",
            "contempt_sanctions_period",
            "contempt_sanctions_currency",
            "contempt_stayed",
            "counsel",
            "counsel_id",
            "sign_off",
            "next_deadline_at",
            "next_deadline_kind",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StatusAppealSerializer(serializers.Serializer):
    status = serializers.CharField()
    disposition = serializers.CharField(allow_blank=True)


class StatusContemptSerializer(serializers.Serializer):
    status = serializers.CharField()
    kind = serializers.CharField(allow_blank=True)
    by_stipulation = serializers.BooleanField()
    sanctions_amount = serializers.CharField(allow_null=True, help_text='A sum, e.g. "5000.00"; null when none.')
    sanctions_currency = serializers.CharField(
        allow_blank=True, help_text="ISO 4217 code of `sanctions_amount` (USD, GBP, EUR…); blank when none."
    )
    stayed = serializers.BooleanField()


class StatusDeadlineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The deadline's `id`, for the deadline steps.")
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()


class StatusEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    occurred_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True)


class StatusAnalysisSerializer(serializers.Serializer):
    """The latest analysis in short, counsel's overrides counted in (`overridden` says how many)."""

    id = serializers.IntegerField(help_text="The analysis to name when signing off.")
    as_of = serializers.DateField()
    catalogue_version = serializers.IntegerField(allow_null=True)
    signed_off = serializers.BooleanField(
        help_text="This analysis has a standing sign-off (`sign_off` says which answer was signed and why not)."
    )
    # The stored summary's members (cases.analysis.summarise); an older summary may lack one.
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    doctrine = serializers.CharField(allow_null=True, required=False)
    doctrine_authorities = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The ids of the authorities the doctrine rests on."
    )
    holdings = serializers.IntegerField(required=False)
    reachable = serializers.IntegerField(required=False)
    routes = serializers.DictField(child=serializers.IntegerField(), required=False, help_text="Holdings by route.")
    overridden = serializers.IntegerField(required=False)
    conflicts = serializers.ListField(child=serializers.CharField(), required=False)
    comity_motion = serializers.BooleanField(required=False)
    voluntary = serializers.IntegerField(
        required=False, help_text="Holdings whose voluntary disclosure US law permits (18 U.S.C. §2702(c)(6))."
    )
    deadlines = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        required=False,
        help_text="The engine's deadlines by name (UTC), or null.",
    )


class CaseStatusSerializer(serializers.Serializer):
    """The compact status REST clients poll: tracks, next deadline, last event, analysis."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    emergency = serializers.BooleanField(help_text="An emergency demand (e.g. an 8-hour European Production Order).")
    request_kind = serializers.ChoiceField(choices=RequestKind.choices, help_text="What the requester asks.")
    status = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    appeal = StatusAppealSerializer()
    contempt = StatusContemptSerializer()
    next_deadline = StatusDeadlineSerializer(allow_null=True, help_text="The earliest open deadline.")
    last_event = StatusEventSerializer(allow_null=True)
    analysis = StatusAnalysisSerializer(allow_null=True)
    sign_off = SignOffStateSerializer(allow_null=True, help_text="Null until the first analysis.")
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class StepResultSerializer(serializers.Serializer):
    """What a step on a case's tracks or timeline wrote, and the version to send next."""

    event = EventSerializer()
    version = serializers.IntegerField(help_text="The case's new `version`: the next step's `expected_version`.")


class DeadlineStepResultSerializer(DeadlineSerializer):
    """The deadline a step wrote, and the case's version to send next."""

    version = serializers.IntegerField(help_text="The case's new `version`: the next step's `expected_version`.")

    class Meta(DeadlineSerializer.Meta):
        fields = [*DeadlineSerializer.Meta.fields, "version"]


class ExportSerializer(serializers.Serializer):
    """A case's complete record, as the case file's export download has it."""

    format = serializers.CharField(help_text="`lexloci.case-file/1`")
    exported_at = serializers.DateTimeField()
    case = serializers.DictField()
    demand = serializers.DictField()
    accounts = serializers.ListField(child=serializers.DictField())
    nondisclosure_orders = serializers.ListField(child=serializers.DictField())
    analyses = serializers.ListField(child=serializers.DictField())
    events = serializers.ListField(child=serializers.DictField())
    deadlines = serializers.ListField(child=serializers.DictField())
    history = serializers.ListField(child=serializers.DictField())
    tasks = serializers.ListField(
        child=serializers.DictField(), help_text="Customer-notice tasks and their completion."
    )
    productions = serializers.ListField(
        child=serializers.DictField(), help_text="Each production with its items and files (SHA-256, size, type)."
    )
    documents = serializers.ListField(child=serializers.DictField(), help_text="The case's documents with SHA-256.")
    correspondence = serializers.ListField(child=serializers.DictField(), help_text="Correspondence, in and out.")
    request = serializers.DictField(
        help_text="The request kind, the preservation it follows or is followed by, decisions."
    )


class WhoAmITokenSerializer(serializers.Serializer):
    name = serializers.CharField()
    scope = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class WhoAmISerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The user's id, e.g. to assign a case to yourself.")
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    token = WhoAmITokenSerializer(allow_null=True, help_text="Null for a browser session.")


# --- Workflow steps (requests) -------------------------------------------------------

MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1


def _version(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, help_text="The case's `version` you last read.", **kwargs
    )


def _states() -> list[str]:
    """Every state of every track: which ones a case may move to depends on where it is."""
    return sorted({state for track in workflow.TRACKS.values() for state in track.states.values})


AMOUNT = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


@extend_schema_field({"type": "string", "pattern": AMOUNT, "example": "5000.00"})
class AmountField(serializers.DecimalField):
    """A sum of money as a string of digits with up to two decimals, e.g. "5000.00"."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, min_value=0, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(AMOUNT, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class LiveChoiceField(serializers.ChoiceField):
    """A choice among values read when used (to validate, or for the schema), not on import."""

    def __init__(self, choices_from, **kwargs):
        self.choices_from = choices_from
        super().__init__(choices=(), **kwargs)

    def _read_choices(self):
        from rest_framework.fields import flatten_choices_dict, to_choices_dict

        self.grouped_choices = to_choices_dict(list(self.choices_from()))
        self._choices = flatten_choices_dict(self.grouped_choices)
        self.choice_strings_to_values = {str(key): key for key in self._choices}
        return self._choices

    choices = property(_read_choices, serializers.ChoiceField._set_choices)

    def to_internal_value(self, data):
        self._read_choices()
        return super().to_internal_value(data)


class WhereMixin(RequestSerializer):
    """Where and how a step happened: court (catalogue name or alias) or court_name, citation, note."""

    court = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="A catalogue court by name or alias, e.g. `S.D.N.Y.` (not with `court_name`).",
    )
    court_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="Any other court (not with `court`)."
    )
    citation = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

    def validate_court(self, value: str):
        if not value:
            return None
        from requests_app.serializers import CourtField

        return CourtField().to_internal_value(value)


class TransitionSerializer(WhereMixin):
    TRACKS = tuple(TrackName.values)

    track = serializers.ChoiceField(choices=TRACKS)
    to = serializers.ChoiceField(
        choices=_states(), help_text="The track's new state; which ones are allowed depends on its current state."
    )
    occurred_on = DateField(help_text="When it happened (not in the future, not before the demand).")
    expected_version = _version()
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, allow_blank=True, help_text="Status `closed`: how it ended."
    )
    disposition = serializers.ChoiceField(
        choices=AppealDisposition.choices, required=False, allow_blank=True, help_text="Appeal `decided`: the result."
    )
    kind = serializers.ChoiceField(
        choices=ContemptKind.choices, required=False, allow_blank=True, help_text="Contempt: the finding's kind."
    )
    by_stipulation = serializers.BooleanField(required=False, default=False)
    sanctions_amount = AmountField(required=False, allow_null=True)
    sanctions_period = serializers.CharField(required=False, allow_blank=True, max_length=100)
    sanctions_currency = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=3,
        help_text="ISO 4217 code of `sanctions_amount`; blank: the issuing jurisdiction's currency.",
    )
    stayed = serializers.BooleanField(required=False, default=False)


COURT_EVENT_CHOICES = list(workflow.COURT_EVENTS.items())
MANUAL_DEADLINE_CHOICES = [(kind.value, kind.label) for kind in MANUAL_DEADLINE_KINDS]


class RecordEventSerializer(WhereMixin):
    kind = serializers.ChoiceField(choices=COURT_EVENT_CHOICES)
    motion_type = serializers.ChoiceField(
        choices=list(workflow.MOTION_TYPES.items()),
        required=False,
        allow_blank=True,
        default="",
        help_text="For `motion_filed`, `motion_granted` and `motion_denied`: what the motion asks "
        "(kept in the event's `data.motion_type`).",
    )
    occurred_on = DateField(help_text="When it happened (not in the future).")
    expected_version = _version()


class AddDeadlineSerializer(RequestSerializer):
    """A manual deadline: give `due_at`, or a period (`rule`, or `length` and `unit`)
    counted from `start` (default: now); a `custom` one needs a `label`."""

    kind = serializers.ChoiceField(choices=MANUAL_DEADLINE_CHOICES)
    # A declared field: DRF's serializer metaclass pops it from the class, so it does not
    # replace `Field.label` as the stubs think.
    label = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, default="", max_length=200
    )
    expected_version = _version()
    due_at = DateTimeField(required=False, allow_null=True)
    start = DateTimeField(required=False, allow_null=True)
    rule = LiveChoiceField(lambda: list(deadlines.RULES), required=False, allow_null=True)
    length = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    unit = serializers.ChoiceField(choices=list(deadlines.Unit), required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class AssignSerializer(RequestSerializer):
    counsel = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        help_text="The user id of a member of counsel (active, in the counsel role); null to unassign.",
    )
    expected_version = _version()


class AssignResultSerializer(StepResultSerializer):
    """The assignment's timeline event, whom the case is assigned to now, and its version."""

    counsel = serializers.CharField(allow_null=True, help_text="Who the case is assigned to; null: unassigned.")
    counsel_id = serializers.IntegerField(allow_null=True)


class SignOffSerializer(RequestSerializer):
    analysis = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The analysis you reviewed: it must be the latest."
    )
    expected_version = _version()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


# --- Transparency report (output only) ---------------------------------------------


class ReportFiguresSerializer(serializers.Serializer):
    demands = serializers.IntegerField()
    accounts = serializers.IntegerField(help_text="Accounts the demands specify.")
    content = serializers.IntegerField(help_text="Closed, produced, and a content holding was reachable.")
    non_content = serializers.IntegerField(help_text="Closed, produced, and only non-content was reachable.")
    no_data = serializers.IntegerField(help_text="Closed with no data found.")
    rejected_or_challenged = serializers.IntegerField(
        help_text="Closed as rejected, withdrawn or moot; or open and litigating, appealed or in contempt."
    )
    pending = serializers.IntegerField(help_text="Any other open case.")
    emergency = serializers.IntegerField()
    nondisclosure = serializers.IntegerField(help_text="Demands with a nondisclosure order.")
    extraterritorial = serializers.IntegerField(
        help_text="The latest analysis reaches data stored outside the issuing country (or at an unknown place) "
        "through control."
    )
    shares = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=100),
        help_text="Each outcome's share of the demands in whole per cent (keys as `outcomes`), rounded so that "
        "they add up to 100 (all 0 without demands).",
    )


class ReportCountrySerializer(ReportFiguresSerializer):
    country = serializers.CharField(help_text='ISO code, or "OTHER" for the countries below the threshold.')
    country_name = serializers.CharField()


class ReportLineSerializer(ReportCountrySerializer):
    instrument = serializers.CharField(help_text='Instrument code; blank on the "Other" line.')
    instrument_name = serializers.CharField()


class ReportPeriodSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field (see AddDeadlineSerializer)
    start = serializers.DateField()
    end = serializers.DateField(help_text="Included.")


class TransparencyReportSerializer(serializers.Serializer):
    period = ReportPeriodSerializer()
    min_count = serializers.IntegerField(help_text='Countries with fewer demands are grouped as "Other".')
    other_countries = serializers.IntegerField(help_text='How many countries "Other" stands for.')
    outcomes = serializers.DictField(child=serializers.CharField(), help_text="Outcome keys and their labels.")
    countries = ReportCountrySerializer(many=True)
    lines = ReportLineSerializer(many=True)
    total = ReportFiguresSerializer()


# --- Deadline steps (requests) -------------------------------------------------------


class DeadlineStepSerializer(RequestSerializer):
    """A step on one deadline of the case in the path, on the case's version the client read."""

    deadline = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The deadline's `id`: one of this case's deadlines."
    )
    expected_version = _version()


class MoveDeadlineSerializer(DeadlineStepSerializer):
    """Where a manual deadline moves: a due time, or a period (a rule, or length and unit)
    counted from `start` (default: the old deadline's start)."""

    reason = serializers.CharField(max_length=10000, help_text="Why it moves, e.g. the order granting more time.")
    occurred_on = DateField(required=False, allow_null=True, help_text="When it moved (default: today).")
    due_at = DateTimeField(required=False, allow_null=True)
    start = DateTimeField(required=False, allow_null=True)
    rule = LiveChoiceField(lambda: list(deadlines.RULES), required=False, allow_null=True)
    length = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    unit = serializers.ChoiceField(choices=list(deadlines.Unit), required=False, allow_null=True)


class CompleteDeadlineSerializer(DeadlineStepSerializer):
    occurred_on = DateField(required=False, allow_null=True, help_text="When it was met (default: today).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class CancelDeadlineSerializer(DeadlineStepSerializer):
    reason = serializers.CharField(
        max_length=10000, help_text="Why it no longer applies, e.g. the demand was withdrawn."
    )
    occurred_on = DateField(required=False, allow_null=True, help_text="When it was cancelled (default: today).")
