"""A demand with its accounts and holdings, written in one request, all or nothing.

Catalogue rows are named by their codes and the provider's entities and data
locations by their names, as client systems know them."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import KnownSlugField, RequestModelSerializer
from cases.actions import AccountToLog, log_demand
from jurisdictions.models import Category, ControllingEntity, Court, DataLocation, Jurisdiction, Kind, LegalInstrument
from jurisdictions.reach.types import court_key
from requests_app.models import (
    DEMAND_FACTS,
    MAX_ACCOUNTS,
    MAX_HOLDINGS,
    Demand,
    Holding,
    NondisclosureOrder,
    TargetAccount,
    arrival_errors,
    instrument_errors,
    reference_taken,
)


class HoldingSerializer(RequestModelSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    data_location = KnownSlugField(
        slug_field="name",
        queryset=DataLocation.objects.all(),
        allow_null=True,
        required=False,
        help_text="Name of a data location of the provider's map; null when unknown or sharded.",
    )
    controlled_by = KnownSlugField(
        slug_field="name", queryset=ControllingEntity.objects.all(), help_text="Name of an entity of the provider."
    )

    class Meta:
        model = Holding
        fields = ["category", "data_location", "controlled_by"]


class AccountSerializer(RequestModelSerializer):
    residence = KnownSlugField(
        slug_field="code",
        queryset=Jurisdiction.objects.all(),
        allow_null=True,
        required=False,
        help_text="Where the account holder lives (a jurisdiction's code); null when unknown.",
    )
    # DRF passes min_length/max_length on to the ListSerializer; the stubs lack them.
    holdings = HoldingSerializer(many=True, min_length=1, max_length=MAX_HOLDINGS)  # type: ignore[call-arg]

    class Meta:
        model = TargetAccount
        fields = ["identifier", "service", "us_person", "residence", "holdings"]

    def validate_holdings(self, value: list) -> list:
        if not value:
            raise serializers.ValidationError("An account needs at least one holding.")
        seen = set()
        for holding in value:
            key = (holding["category"], holding.get("data_location"))
            if key in seen:
                raise serializers.ValidationError("The same category is listed twice at the same place.")
            seen.add(key)
        return value


class NondisclosureOrderSerializer(RequestModelSerializer):
    class Meta:
        model = NondisclosureOrder
        fields = ["basis", "starts_on", "expires_on", "note"]

    def validate(self, attrs: dict) -> dict:
        if attrs.get("expires_on") and attrs["expires_on"] < attrs["starts_on"]:
            raise serializers.ValidationError({"expires_on": "The order cannot expire before it starts."})
        return attrs


@extend_schema_field(OpenApiTypes.STR)
class CourtField(serializers.Field):
    """A court by name or alias, compared ignoring case, spaces and periods (SDNY = S.D.N.Y.)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            raise serializers.ValidationError("Give the court's name, e.g. S.D.N.Y.")
        key = court_key(data)
        for court in Court.objects.only("pk", "name", "aliases"):
            if key in {court_key(court.name), *(court_key(a) for a in court.aliases)}:
                return court
        raise serializers.ValidationError(f"Unknown court {data!r}: it is not in the catalogue.")

    def to_representation(self, value):
        return value.name


class DemandSerializer(RequestModelSerializer):
    instrument = KnownSlugField(slug_field="code", queryset=LegalInstrument.objects.all())
    kind = serializers.ChoiceField(
        source="instrument.kind",
        choices=Kind.choices,
        read_only=True,
        help_text="What the demand asks for, fixed by its instrument: `production` or `preservation`.",
    )
    issuing_jurisdiction = KnownSlugField(
        slug_field="code",
        queryset=Jurisdiction.objects.all(),
        help_text="A jurisdiction's code. Only one the instrument allows on the day served: its own, or for "
        "EU-EPO and EU-EPO-PR a member of all its issuing blocs (else 400 naming this field).",
    )
    court = CourtField(
        required=False, allow_null=True, help_text="The issuing court: a catalogue court's name or alias, e.g. SDNY."
    )
    served_entity = KnownSlugField(slug_field="name", queryset=ControllingEntity.objects.all())
    accounts = AccountSerializer(many=True, min_length=1, max_length=MAX_ACCOUNTS)  # type: ignore[call-arg]  # see holdings
    nondisclosure_order = NondisclosureOrderSerializer(required=False, allow_null=True, write_only=True)
    case = serializers.IntegerField(source="case.pk", read_only=True)

    class Meta:
        model = Demand
        fields = [
            "id",
            "case",
            "kind",
            *DEMAND_FACTS,
            "accounts",
            "nondisclosure_order",
            "created_at",
        ]
        read_only_fields = ["id", "case", "kind", "created_at"]
        # validate_reference says it better than the model's unique check (and ignores case).
        extra_kwargs: dict[str, dict[str, Any]] = {"reference": {"validators": []}}

    def validate_reference(self, value: str) -> str:
        value = value.strip()
        if message := reference_taken(value):
            raise serializers.ValidationError(message)
        return value

    def validate_accounts(self, value: list) -> list:
        if not value:
            raise serializers.ValidationError("A demand names at least one target account.")
        identifiers = [a["identifier"] for a in value]
        if len(set(identifiers)) != len(identifiers):
            raise serializers.ValidationError("An account identifier is listed twice.")
        return value

    def validate(self, attrs: dict) -> dict:
        if errors := arrival_errors(attrs.get("served_at"), attrs.get("received_at")):
            raise serializers.ValidationError(errors)
        issuer = attrs.get("issuing_jurisdiction")
        if errors := instrument_errors(
            attrs.get("instrument"),
            issuer.pk if issuer is not None else None,
            served_at=attrs.get("served_at"),
            received_at=attrs.get("received_at"),
            extended=bool(attrs.get("extended")),
            pending_since=attrs.get("pending_since"),
        ):
            raise serializers.ValidationError(errors)
        return attrs

    def create(self, validated: dict) -> Demand:
        """Logs the demand (cases.actions.log_demand); its refusals become 400s naming the field."""
        accounts = [
            AccountToLog(
                account=TargetAccount(**{k: v for k, v in a.items() if k != "holdings"}),
                holdings=[Holding(**h) for h in a["holdings"]],
            )
            for a in validated.pop("accounts")
        ]
        ndo = validated.pop("nondisclosure_order", None)
        case = log_demand(
            demand=Demand(**validated),
            accounts=accounts,
            orders=[NondisclosureOrder(**ndo)] if ndo else [],
            by=self.context["request"].user,
            via="through the API",
        )
        return case.demand
