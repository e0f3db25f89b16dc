from rest_framework import serializers

from jurisdictions.models import Agreement, ConflictRule, Court, Jurisdiction, LegalInstrument


class JurisdictionSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "time_zone", "holidays_country", "memberships"]

    def get_memberships(self, obj) -> list[dict]:
        return [{"bloc": m.bloc_id, "start": m.start, "end": m.end} for m in obj.memberships.all()]


class InstrumentSerializer(serializers.ModelSerializer):
    issuing_blocs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    response_period = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    emergency_period = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    comity_period = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = LegalInstrument
        fields = [
            "code",
            "jurisdiction",
            "name",
            "citation",
            "start",
            "end",
            "categories",
            "hook",
            "issuing_blocs",
            "response_period",
            "emergency_period",
            "comity_period",
        ]


class AgreementSerializer(serializers.ModelSerializer):
    parties = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    party_blocs = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    designates = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    lifts = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "code",
            "name",
            "citation",
            "kind",
            "start",
            "end",
            "parties",
            "party_blocs",
            "designates",
            "lifts",
            "qualifying_foreign_government",
            "forbids_targeting_us_persons",
        ]


class ConflictRuleSerializer(serializers.ModelSerializer):
    countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    except_countries = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = ConflictRule
        fields = [
            "code",
            "jurisdiction",
            "law",
            "citation",
            "severity",
            "start",
            "end",
            "trigger",
            "countries",
            "bloc",
            "except_countries",
            "categories",
        ]


class CourtSerializer(serializers.ModelSerializer):
    class Meta:
        model = Court
        fields = ["name", "aliases", "jurisdiction", "circuit", "time_zone"]


class WhatIfSerializer(serializers.Serializer):
    """Facts in the scenario format of shared/RULES.md §8; nothing is stored."""

    id = serializers.CharField(required=False, default="what-if")
    as_of = serializers.CharField()
    demand = serializers.DictField()
    entities = serializers.ListField(child=serializers.DictField())
    accounts = serializers.ListField(child=serializers.DictField())
