"""A case's productions over the API: list them, and record one (JSON without files,
or multipart with files) through the same action as the case file's form."""

import json

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiRequest, extend_schema
from rest_framework import parsers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.api import ERRORS, ApiView, DateField, JSONParser, RequestSerializer, error
from cases.actions.productions import MAX_PRODUCTION_FILES, record_production
from cases.api_documents import UploadField
from cases.models import Case, CaseDocument, Production, ProductionItem
from cases.serializers import MAX_ID, MAX_VERSION
from jurisdictions.models import Category

WRITE_ERRORS = {
    **ERRORS,
    400: error(
        "Bad input, or a production the case refuses (a closed case, a holding not of this demand, a withheld "
        "item without a reason, a file that is not a PDF, ZIP or UTF-8 text); `fields` names the field"
    ),
    409: error("The case changed since `expected_version`: reload and retry"),
    415: error("Not a media type this endpoint reads: JSON, or multipart/form-data"),
}


class ProductionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductionItem
        fields = ["id", "holding", "category", "disposition", "reason"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.holding_id is not None and not data["category"]:
            data["category"] = instance.holding.category  # the holding's own category, for reading
        return data


class ProductionFileSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="title", read_only=True)
    download = serializers.SerializerMethodField(help_text="The download URL (a page: a logged-in session).")

    class Meta:
        model = CaseDocument
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, document: CaseDocument) -> str:
        return reverse("cases:document_download", args=[document.case_id, document.pk])


class ProductionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    items = ProductionItemSerializer(many=True, read_only=True)
    files = ProductionFileSerializer(many=True, read_only=True)

    class Meta:
        model = Production
        fields = ["id", "number", "produced_on", "recipient", "method", "note", "created_by", "created_at", "items"]
        fields += ["files"]
        read_only_fields = fields


class ProductionResultSerializer(ProductionSerializer):
    version = serializers.IntegerField(help_text="The case's new `version`: the next step's `expected_version`.")

    class Meta(ProductionSerializer.Meta):
        fields = [*ProductionSerializer.Meta.fields, "version"]
        read_only_fields = fields


class ItemInputSerializer(RequestSerializer):
    holding = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="A holding of this demand."
    )
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, allow_blank=True, help_text="A whole data category, instead."
    )
    disposition = serializers.ChoiceField(choices=ProductionItem.Disposition.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, help_text="Required if withheld.")


class RecordProductionSerializer(RequestSerializer):
    number = serializers.CharField(max_length=60, help_text="The production number, unique in the case.")
    produced_on = DateField(help_text="When it was delivered (not in the future, not before the demand).")
    recipient = serializers.CharField(max_length=200, help_text="Agency, officer or court that received it.")
    method = serializers.ChoiceField(choices=Production.Method.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    items = ItemInputSerializer(
        many=True, allow_empty=False, help_text="Each holding (or category) produced or withheld."
    )
    expected_version = serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, help_text="The case's `version` you last read."
    )


class RecordProductionUploadSerializer(RecordProductionSerializer):
    """The multipart form of the same body (for the schema): each field a text part,
    `items` one part holding the JSON array (`Content-Type: application/json`), and
    `files` repeated for each file."""

    files = serializers.ListField(
        child=UploadField(),
        required=False,
        max_length=MAX_PRODUCTION_FILES,
        help_text="The files produced: each a PDF (at most 10 MB), a ZIP archive or UTF-8 text (at most 100 MB).",
    )


def _body(request: Request) -> tuple[dict, list]:
    """The body as the JSON form has it, and the files (multipart only)."""
    if request.content_type.startswith("multipart/form-data"):
        form = request.POST
        data: dict = {key: form.get(key) for key in form if key != "files"}
        raw = data.get("items")
        if isinstance(raw, str):
            try:
                data["items"] = json.loads(raw)
            except ValueError:
                data["items"] = None
            if not isinstance(data["items"], list):
                raise ValidationError({"items": ["items must be a JSON array of items, as text."]})
        version = data.get("expected_version")
        if isinstance(version, str) and version.isascii() and version.isdigit():
            data["expected_version"] = int(version)
        return data, request.FILES.getlist("files")
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["The body must be a JSON object."]})
    if "files" in request.data:
        raise ValidationError({"files": ["Send files as multipart/form-data."]})
    return request.data, []


def _productions(case_pk: int):
    return (
        Production.objects.filter(case_id=case_pk)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("items", queryset=ProductionItem.objects.select_related("holding").order_by("pk")),
            Prefetch("files", queryset=CaseDocument.objects.order_by("uploaded_at", "pk")),
        )
        .order_by("produced_on", "pk")
    )


class CaseProductionsView(ApiView, APIView):
    """GET: the case's productions; POST: record one."""

    permission_classes = [roles.CanTakeWorkflowSteps]
    parser_classes = [JSONParser, parsers.MultiPartParser]

    @extend_schema(
        summary="The case's productions, with each item and each file's SHA-256",
        responses={200: ProductionSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        get_object_or_404(Case.objects.only("pk"), pk=pk)
        return Response(ProductionSerializer(_productions(pk), many=True).data)

    @extend_schema(
        summary="Record a production: holdings produced or withheld (with a reason), and the files",
        description="JSON without files, or `multipart/form-data` with `files` (repeat the part for each file; "
        "a PDF, ZIP archive or UTF-8 text such as CSV or JSON, each up to 100 MB, PDFs 10 MB) and `items` as "
        "JSON text. Counsel and read-write API clients; a closed case refuses (400 naming `case`). Each file "
        "is stored with its SHA-256, size and content type; one timeline event says what was produced.",
        request={
            "application/json": RecordProductionSerializer,
            "multipart/form-data": OpenApiRequest(
                RecordProductionUploadSerializer, encoding={"items": {"contentType": "application/json"}}
            ),
        },
        responses={201: ProductionResultSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_object_or_404(Case, pk=pk)
        raw, files = _body(request)
        serializer = RecordProductionSerializer(data=raw)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        production = record_production(
            case,
            number=data["number"],
            produced_on=data["produced_on"],
            recipient=data["recipient"],
            method=data["method"],
            items=[dict(item) for item in data["items"]],
            files=files,
            note=data.get("note", ""),
            by=request.user,
            expected_version=data["expected_version"],
        )
        body = ProductionSerializer(_productions(pk).get(pk=production.pk)).data
        version = Case.objects.filter(pk=pk).values_list("version", flat=True).get()
        return Response({**body, "version": version}, status=201)
