from rest_framework import serializers

from cases.models import Analysis, Case, CaseEvent, Deadline


class DeadlineSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deadline
        fields = ["id", "kind", "label", "due_at", "source", "state", "computation", "analysis", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True)
    court = serializers.CharField(source="court.name", default=None, read_only=True)

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


class AnalysisSerializer(serializers.ModelSerializer):
    catalogue_version = serializers.CharField(source="catalogue_version.__str__", read_only=True)
    signed_off_by = serializers.CharField(source="signed_off_by.username", default=None, read_only=True)

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
        ]


class NextDeadlineField(serializers.Serializer):
    kind = serializers.CharField()
    due_at = serializers.DateTimeField()


class CaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="demand.reference")
    instrument = serializers.CharField(source="demand.instrument.code")
    issuing_jurisdiction = serializers.CharField(source="demand.issuing_jurisdiction_id")
    served_entity = serializers.CharField(source="demand.served_entity.name")
    counsel = serializers.CharField(source="counsel.username", default=None)
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
