"""A demand with its accounts and holdings, written in one request, all or nothing.

Catalogue rows are named by their codes and the provider's entities and data
locations by their names, as client systems know them."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import KnownSlugField, RequestModelSerializer
from cases.actions import AccountToLog, log_demand
from cases.actions.intake import chosen_kind_error
from jurisdictions.models import Category, ControllingEntity, Court, DataLocation, Jurisdiction, Kind, LegalInstrument
from jurisdictions.reach.types import court_key
from requests_app.models import (
    DEMAND_FACTS,
    MAX_ACCOUNTS,
    MAX_HOLDINGS,
    MAX_HOLDINGS_PER_DEMAND,
    Demand,
    Holding,
    NondisclosureOrder,
    RequestKind,
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
        required=False,
        allow_null=True,
        help_text="The issuing court or authority: a catalogue court's name or alias (e.g. SDNY, Amtsgericht "
        "München), one of the issuing jurisdiction's (else 400 naming this field).",
    )
    served_entity = KnownSlugField(slug_field="name", queryset=ControllingEntity.objects.all())
    accounts = AccountSerializer(many=True, min_length=1, max_length=MAX_ACCOUNTS)  # type: ignore[call-arg]  # see holdings
    nondisclosure_order = NondisclosureOrderSerializer(required=False, allow_null=True, write_only=True)
    request_kind = serializers.ChoiceField(
        choices=RequestKind.choices,
        required=False,
        help_text="Left out: from the instrument (`preservation` for a preservation instrument, else `compulsory`). "
        "`emergency_disclosure`: a US governmental entity asks a US provider to disclose voluntarily under "
        "18 U.S.C. §2702(b)(8) (content) and (c)(4) (records); the demand is then an emergency.",
    )
    follows_preservation = serializers.SlugRelatedField(
        slug_field="reference",
        queryset=Demand.objects.all(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "No demand has the reference {value}: name a logged preservation request."},
        help_text="The reference of the preservation request (same served entity) this demand follows; it is then "
        "fulfilled.",
    )
    case = serializers.IntegerField(source="case.pk", read_only=True)
    version = serializers.IntegerField(
        source="case.version",
        read_only=True,
        help_text="The case's version: send it as `expected_version` to correct the demand (PATCH).",
    )

    class Meta:
        model = Demand
        fields = [
            "id",
            "case",
            "version",
            "kind",
            *DEMAND_FACTS,
            "accounts",
            "nondisclosure_order",
            "created_at",
        ]
        read_only_fields = ["id", "case", "version", "kind", "created_at"]
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
        total = sum(len(a["holdings"]) for a in value)
        if total > MAX_HOLDINGS_PER_DEMAND:
            raise serializers.ValidationError(
                f"A demand may have at most {MAX_HOLDINGS_PER_DEMAND} holdings in all; this one has {total}."
            )
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
            court=attrs.get("court"),
        ):
            raise serializers.ValidationError(errors)
        if message := chosen_kind_error(attrs.get("instrument"), attrs.get("request_kind")):
            raise serializers.ValidationError({"request_kind": message})
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


class DemandAmendmentSerializer(DemandSerializer):
    """A correction of a logged demand's facts (`cases.actions.amend_demand`): the fields
    to change, `accounts` as the whole new list when given, the reason and the case's
    version. The reference stays as logged."""

    instrument = KnownSlugField(slug_field="code", queryset=LegalInstrument.objects.all(), required=False)
    issuing_jurisdiction = KnownSlugField(
        slug_field="code",
        queryset=Jurisdiction.objects.all(),
        required=False,
        help_text="A jurisdiction's code; one the instrument (as amended) allows on the day served.",
    )
    served_entity = KnownSlugField(slug_field="name", queryset=ControllingEntity.objects.all(), required=False)
    accounts = AccountSerializer(  # type: ignore[call-arg]  # see DemandSerializer.accounts
        many=True,
        min_length=1,
        max_length=MAX_ACCOUNTS,
        required=False,
        help_text="The demand's whole new list of accounts with their holdings; leave it out to keep them. An "
        "account is known by its identifier (its `service`, `us_person` or `residence` left out stays as it "
        "was); its holdings by category and location, then by position.",
    )
    nondisclosure_order = NondisclosureOrderSerializer(
        required=False,
        allow_null=True,
        write_only=True,
        help_text="The demand's nondisclosure order (its first, when it has several) as corrected; null removes "
        "it. `expires_on` or `note` left out stays as it was.",
    )
    reason = serializers.CharField(
        write_only=True, max_length=2000, help_text="Why the facts are corrected; it goes on the case's timeline."
    )
    expected_version = serializers.IntegerField(
        write_only=True,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The case's `version` as you read it; a stale one is refused with 409.",
    )

    class Meta(DemandSerializer.Meta):
        fields = [
            *(name for name in DEMAND_FACTS if name != "reference"),
            "accounts",
            "nondisclosure_order",
            "reason",
            "expected_version",
        ]
        read_only_fields: list[str] = []
        extra_kwargs: dict[str, dict[str, Any]] = {
            name: {"required": False}
            for name in ("issuing_authority", "served_at", "received_at", "emergency", "due_at", "extended")
        }

    # A correction is sent with PATCH but is not DRF's partial update: `reason` and
    # `expected_version` are always required, and so is what `accounts` holds.
    # drf-spectacular sets `partial` on a PATCH's serializer, which would publish them
    # all as optional: it stays False.
    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        pass

    def validate(self, attrs: dict) -> dict:
        # Which facts fit together (arrival, the instrument's issuers, `extended`) is
        # checked by the action on the demand as amended, not on the fields sent alone.
        return attrs

    def amendment(self, demand: Demand) -> dict:
        """The action's arguments (`cases.actions.amend_demand`) from the validated body."""
        data = dict(self.validated_data)
        amendment: dict[str, Any] = {"reason": data.pop("reason"), "expected_version": data.pop("expected_version")}
        if "accounts" in data:
            accounts_on_file = {a.identifier: a for a in demand.accounts.select_related("residence")}
            amendment["accounts"] = []
            for given in data.pop("accounts"):
                fields = {k: v for k, v in given.items() if k != "holdings"}
                known = accounts_on_file.get(fields["identifier"])
                kept = {name: getattr(known, name) for name in ("service", "us_person", "residence")} if known else {}
                amendment["accounts"].append(
                    AccountToLog(
                        account=TargetAccount(**{**kept, **fields}),
                        holdings=[Holding(**h) for h in given["holdings"]],
                    )
                )
        if "nondisclosure_order" in data:
            given = data.pop("nondisclosure_order")
            orders_on_file = list(demand.nondisclosure_orders.order_by("starts_on", "pk"))
            first = orders_on_file[0] if orders_on_file else None
            corrected = []
            if given is not None:
                kept = {name: getattr(first, name) for name in ("pk", "expires_on", "note")} if first else {}
                corrected.append(NondisclosureOrder(**{**kept, **given}))
            amendment["orders"] = [*corrected, *orders_on_file[1:]]
        amendment["facts"] = data
        return amendment
