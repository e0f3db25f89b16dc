from rest_framework import serializers

from accounts.api import DateField, KnownSlugField, RequestSerializer
from jurisdictions.models import Agreement, Bloc, ConflictRule, Court, Jurisdiction, LegalInstrument, Period
from jurisdictions.reach import limits
from jurisdictions.reach.types import CATEGORIES


class JurisdictionSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "time_zone", "holidays_country", "memberships"]

    def get_memberships(self, obj) -> list[dict]:
        return [{"bloc": m.bloc_id, "start": m.start, "end": m.end} for m in obj.memberships.all()]


class InstrumentSerializer(serializers.ModelSerializer):
    issuing_blocs = serializers.SlugRelatedField[Bloc](slug_field="code", many=True, read_only=True)
    response_period = serializers.SlugRelatedField[Period](slug_field="code", read_only=True, allow_null=True)
    emergency_period = serializers.SlugRelatedField[Period](slug_field="code", read_only=True, allow_null=True)
    comity_period = serializers.SlugRelatedField[Period](slug_field="code", read_only=True, allow_null=True)
    preservation_period = serializers.SlugRelatedField[Period](slug_field="code", read_only=True, allow_null=True)
    objection_period = serializers.SlugRelatedField[Period](slug_field="code", read_only=True, allow_null=True)
    control_authorities = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Authority ids of group control, oldest first."
    )

    class Meta:
        model = LegalInstrument
        fields = [
            "code",
            "kind",
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
            "preservation_period",
            "objection_period",
            "group_control",
            "control_authorities",
            "pending_rule",
            "pending_cutoff",
            "pending_citation",
            "to_confirm",
        ]


class AgreementSerializer(serializers.ModelSerializer):
    parties = serializers.SlugRelatedField[Jurisdiction](slug_field="code", many=True, read_only=True)
    party_blocs = serializers.SlugRelatedField[Bloc](slug_field="code", many=True, read_only=True)
    designates = serializers.SlugRelatedField[LegalInstrument](slug_field="code", many=True, read_only=True)
    lifts = serializers.SlugRelatedField[ConflictRule](slug_field="code", many=True, read_only=True)

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
    countries = serializers.SlugRelatedField[Jurisdiction](slug_field="code", many=True, read_only=True)
    except_countries = serializers.SlugRelatedField[Jurisdiction](slug_field="code", many=True, read_only=True)
    authorities = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Authority ids the rule rests on, oldest first."
    )
    except_authorities = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Authority ids of what keeps it from applying."
    )

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
            "authorities",
            "except_authorities",
        ]


class CourtSerializer(serializers.ModelSerializer):
    class Meta:
        model = Court
        fields = ["id", "name", "aliases", "jurisdiction", "circuit", "state", "time_zone"]


# --- What-if: the engine's scenario contract (RULES.md §9), checked for its JSON types
# here and for its meaning by jurisdictions.reach.facts_from_scenario. -----------------

COUNTRY = "^[A-Z]{2}$"
# RULES.md §9.1's date-time grammar: seconds and offset optional (no offset: UTC).
INSTANT = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$"


def _instant() -> serializers.RegexField:
    return serializers.RegexField(
        INSTANT, required=False, allow_null=True, help_text="A date and time, e.g. 2026-09-01T08:00:00Z."
    )


def _country(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(COUNTRY, max_length=2, help_text="An ISO 3166-1 alpha-2 code, e.g. IE.", **kwargs)


def _optional_text(**kwargs) -> serializers.CharField:
    return serializers.CharField(required=False, allow_null=True, trim_whitespace=False, **kwargs)


def _text(**kwargs) -> serializers.CharField:
    return serializers.CharField(trim_whitespace=False, **kwargs)


class ScenarioDemandSerializer(RequestSerializer):
    instrument = KnownSlugField(slug_field="code", queryset=LegalInstrument.objects.all())
    kind = _optional_text(help_text="The instrument's kind, when given.")
    issuing_jurisdiction = _country()
    issuing_court = _optional_text(help_text="A court's name; an unknown one is not an error.")
    served_entity = _text(help_text="The `name` of one of the `entities`.")
    served_at = _instant()
    due_at = _instant()
    pending_since = DateField(required=False, allow_null=True)
    emergency = serializers.BooleanField(required=False, allow_null=True)
    extended = serializers.BooleanField(required=False, allow_null=True)


class ScenarioEntitySerializer(RequestSerializer):
    name = _text(help_text="Unique among the entities.")
    country = _country()
    # A declared field: DRF's serializer metaclass pops it from the class, so it does not
    # replace `Field.parent` as the stubs think.
    parent = _optional_text(help_text="The `name` of another entity.")  # type: ignore[assignment]
    establishments = serializers.ListField(child=_text(), required=False, allow_null=True)
    offers_services_in = serializers.ListField(
        child=_text(), required=False, allow_null=True, help_text='Country codes, or `["*"]` for everywhere.'
    )
    designated_for = serializers.ListField(
        child=_text(), required=False, allow_null=True, help_text="Names of other entities."
    )


class ScenarioHoldingSerializer(RequestSerializer):
    category = serializers.ChoiceField(choices=CATEGORIES)
    storage = _country(required=False, allow_null=True)
    controlled_by = _text(help_text="The `name` of one of the `entities`.")


class ScenarioAccountSerializer(RequestSerializer):
    identifier = _text()
    us_person = serializers.BooleanField(required=False, allow_null=True)
    residence = _country(required=False, allow_null=True)
    holdings = ScenarioHoldingSerializer(many=True, max_length=limits.MAX_HOLDINGS_PER_ACCOUNT)  # type: ignore[call-arg]


class WhatIfSerializer(RequestSerializer):
    """Facts in the scenario format of shared/RULES.md §9; nothing is stored."""

    id = _text(required=False, default="what-if")
    as_of = DateField()
    demand = ScenarioDemandSerializer()
    # DRF passes min_length/max_length on to the ListSerializer; the stubs lack them.
    # The caps are checked before any element is read (the contract checks them too).
    entities = ScenarioEntitySerializer(many=True, min_length=1, max_length=limits.MAX_ENTITIES)  # type: ignore[call-arg]
    accounts = ScenarioAccountSerializer(many=True, max_length=limits.MAX_ACCOUNTS)  # type: ignore[call-arg]


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    citation = serializers.CharField(allow_null=True, allow_blank=True)


class WhatIfItemSerializer(serializers.Serializer):
    account = serializers.CharField()
    category = serializers.CharField()
    storage = serializers.CharField(allow_null=True)
    controlled_by = serializers.CharField()
    reach = serializers.CharField()
    route = serializers.CharField()
    conflicts = serializers.ListField(child=serializers.CharField())
    comity_motion = serializers.BooleanField()
    mlat = serializers.ListField(child=serializers.CharField(), required=False)
    reasons = ReasonSerializer(many=True, required=False)


class WhatIfResultSerializer(serializers.Serializer):
    """The engine's answer (RULES.md §9.2), with its reasons, citations and workings."""

    id = serializers.CharField()
    doctrine = serializers.CharField(allow_null=True, help_text="Null when no instrument applies.")
    items = WhatIfItemSerializer(many=True, help_text="One per holding, in the order given.")
    deadlines = serializers.DictField(child=serializers.CharField(allow_null=True))
    deadline_working = serializers.DictField(child=serializers.DictField(allow_null=True), required=False)
    reasons = ReasonSerializer(many=True, required=False)
    catalogue_version = serializers.CharField(required=False)
