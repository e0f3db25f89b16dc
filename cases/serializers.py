from rest_framework import serializers

from cases.models import Analysis, AppealDisposition, Case, CaseEvent, Deadline, HoldingOverride, Outcome


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


class AnalysisSerializer(serializers.ModelSerializer):
    """The engine's result as computed, with counsel's overrides beside it (by holding, oldest
    first: the latest override of a holding, `item` indexing `result.items`, is the answer)."""

    catalogue_version = serializers.CharField(source="catalogue_version.__str__", read_only=True)
    signed_off_by = serializers.CharField(
        source="signed_off_by.username", default=None, read_only=True, allow_null=True
    )
    overrides = OverrideSerializer(many=True, read_only=True)

    class Meta:
        model = Analysis
        fields = [
            "id",
            "as_of",
            "catalogue_version",
            "doctrine",
            "result",
            "created_at",
            "signed_off_by",
            "signed_off_at",
            "sign_off_note",
            "overrides",
        ]


class NextDeadlineField(serializers.Serializer):
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()


class CaseSerializer(serializers.ModelSerializer):
    # Blank until set: declared so the schema's enums admit "".
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, read_only=True)
    appeal_disposition = serializers.ChoiceField(choices=AppealDisposition.choices, allow_blank=True, read_only=True)
    contempt_kind = serializers.ChoiceField(
        choices=[("civil", "Civil"), ("criminal", "Criminal")], allow_blank=True, read_only=True
    )
    reference = serializers.CharField(source="demand.reference")
    instrument = serializers.CharField(source="demand.instrument.code")
    issuing_jurisdiction = serializers.CharField(source="demand.issuing_jurisdiction_id")
    served_entity = serializers.CharField(source="demand.served_entity.name")
    counsel = serializers.CharField(source="counsel.username", default=None, read_only=True, allow_null=True)
    next_deadline_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_deadline_kind = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "instrument",
            "issuing_jurisdiction",
            "served_entity",
            "status",
            "outcome",
            "appeal_status",
            "appeal_disposition",
            "contempt_status",
            "contempt_kind",
            "contempt_by_stipulation",
            "contempt_sanctions_amount",
            "contempt_sanctions_period",
            "contempt_stayed",
            "counsel",
            "next_deadline_at",
            "next_deadline_kind",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseStatusSerializer(serializers.Serializer):
    """The compact status REST clients poll: tracks, next deadline, last event, analysis."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()
    outcome = serializers.CharField(allow_blank=True)
    appeal = serializers.DictField()
    contempt = serializers.DictField()
    next_deadline = serializers.DictField(allow_null=True)
    last_event = serializers.DictField(allow_null=True)
    analysis = serializers.DictField(allow_null=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class WhereMixin(serializers.Serializer):
    """Where and how a step happened: court (catalogue name or alias) or court_name, citation, note."""

    court = serializers.CharField(required=False, allow_blank=True, default="")
    court_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    citation = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)

    def validate_court(self, value: str):
        if not value:
            return None
        from requests_app.serializers import CourtField

        return CourtField().to_internal_value(value)


class TransitionSerializer(WhereMixin):
    TRACKS = ("status", "appeal", "contempt")

    track = serializers.ChoiceField(choices=TRACKS)
    to = serializers.CharField(max_length=24)
    occurred_on = serializers.DateField()
    expected_version = serializers.IntegerField(min_value=1, help_text="The case's `version` you last read.")
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=20)
    disposition = serializers.CharField(required=False, allow_blank=True, max_length=16)
    kind = serializers.CharField(required=False, allow_blank=True, max_length=10, help_text="Contempt: civil/criminal")
    by_stipulation = serializers.BooleanField(required=False, default=False)
    sanctions_amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    sanctions_period = serializers.CharField(required=False, allow_blank=True, max_length=100)
    stayed = serializers.BooleanField(required=False, default=False)


class RecordEventSerializer(WhereMixin):
    kind = serializers.CharField(max_length=40)
    occurred_on = serializers.DateField()
    expected_version = serializers.IntegerField(min_value=1)


class AddDeadlineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["objection", "appeal_notice", "custom"])
    label = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    expected_version = serializers.IntegerField(min_value=1)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    start = serializers.DateTimeField(required=False, allow_null=True)
    rule = serializers.CharField(required=False, allow_null=True, max_length=40)
    length = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    unit = serializers.CharField(required=False, allow_null=True, max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class SignOffSerializer(serializers.Serializer):
    analysis = serializers.IntegerField(help_text="The analysis you reviewed: it must be the latest.")
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


class ReportCountrySerializer(ReportFiguresSerializer):
    country = serializers.CharField(help_text='ISO code, or "OTHER" for the countries below the threshold.')
    country_name = serializers.CharField()


class ReportLineSerializer(ReportCountrySerializer):
    instrument = serializers.CharField(help_text='Instrument code; blank on the "Other" line.')
    instrument_name = serializers.CharField()


class ReportPeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
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


class DeadlineStepSerializer(serializers.Serializer):
    """A step on one deadline of the case in the path, on the case's version the client read."""

    deadline = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The deadline's `id`: one of this case's deadlines."
    )
    expected_version = serializers.IntegerField(min_value=1, help_text="The case's `version` you last read.")


class MoveDeadlineSerializer(DeadlineStepSerializer):
    """Where a manual deadline moves: a due time, or a period (a rule, or length and unit)
    counted from `start` (default: the old deadline's start)."""

    reason = serializers.CharField(max_length=10000, help_text="Why it moves, e.g. the order granting more time.")
    occurred_on = serializers.DateField(required=False, allow_null=True, help_text="When it moved (default: today).")
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    start = serializers.DateTimeField(required=False, allow_null=True)
    rule = serializers.CharField(required=False, allow_null=True, max_length=40)
    length = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    unit = serializers.CharField(required=False, allow_null=True, max_length=20)


class CompleteDeadlineSerializer(DeadlineStepSerializer):
    occurred_on = serializers.DateField(required=False, allow_null=True, help_text="When it was met (default: today).")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class CancelDeadlineSerializer(DeadlineStepSerializer):
    reason = serializers.CharField(
        max_length=10000, help_text="Why it no longer applies, e.g. the demand was withdrawn."
    )
    occurred_on = serializers.DateField(
        required=False, allow_null=True, help_text="When it was cancelled (default: today)."
    )
