"""A case's documents and correspondence over the API: `GET/POST
/api/v1/cases/{id}/documents/` (a PDF posted as multipart/form-data) and `GET/POST
/api/v1/cases/{id}/correspondence/` (multipart with `attachments`, or JSON without).
The writes call the same actions as the case file (cases/actions/documents.py)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import parsers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from accounts.api import ERRORS, ApiView, DateField, JSONParser, RequestSerializer, error
from cases.actions import documents as document_actions
from cases.models import Case, CaseDocument, Correspondence
from cases.serializers import _version as _expected_version

WRITE_ERRORS = {
    **ERRORS,
    400: error("Bad input (not a PDF, over 10 MB, a date in the future or before the demand); `fields` names it"),
    403: error("Your role or token scope does not allow this, or the case is closed and you are not counsel"),
    409: error("The case changed since `expected_version`: reload and retry"),
    415: error("Not a media type this endpoint reads"),
}


@extend_schema_field({"type": "string", "format": "binary", "minLength": 1})
class UploadField(serializers.FileField):
    """A file part of a multipart body: a file, not empty (`format: binary`, at least a byte)."""


class CanAddToCaseFile(roles.CanLogDemands):
    """Every reader reads; intake, counsel and read-write API clients add (and on a
    closed case, only counsel and API clients: the action checks that)."""

    message = "Only intake, counsel and read-write API clients may add to a case's file."


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField(help_text="The case file's download link (a signed-in person's).")

    class Meta:
        model = CaseDocument
        fields = [
            "id",
            "kind",
            "title",
            "sha256",
            "size",
            "content_type",
            "production",
            "correspondence",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]

    def get_uploaded_by(self, obj: CaseDocument) -> str:
        return obj.uploaded_by.get_username()

    def get_download(self, obj: CaseDocument) -> str:
        return reverse("cases:document_download", args=[obj.case_id, obj.pk])


class CorrespondenceSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    attachments = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Correspondence
        fields = [
            "id",
            "direction",
            "occurred_on",
            "channel",
            "counterpart",
            "summary",
            "letter",
            "body",
            "created_by",
            "created_at",
            "attachments",
        ]

    def get_created_by(self, obj: Correspondence) -> str:
        return obj.created_by.get_username()


class DocumentUploadSerializer(serializers.Serializer):
    """Multipart fields are text: `expected_version` is read as a whole number."""

    kind = serializers.ChoiceField(choices=CaseDocument.Kind.choices)
    title = serializers.CharField(max_length=document_actions.MAX_TITLE)
    file = UploadField(help_text="A PDF of at most 10 MB, without scripts or embedded files.")
    expected_version = _expected_version()


class CorrespondenceInputSerializer(RequestSerializer):
    """The JSON body: a log entry without attachments (those need multipart/form-data)."""

    direction = serializers.ChoiceField(choices=Correspondence.Direction.choices)
    occurred_on = DateField(help_text="When it was sent, received or held (not in the future, not before the demand).")
    channel = serializers.ChoiceField(choices=Correspondence.Channel.choices)
    counterpart = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=20_000)
    expected_version = _expected_version()


class CorrespondenceUploadSerializer(serializers.Serializer):
    """The multipart body: the same fields as text parts, and `attachments` (repeat the
    part for each file)."""

    direction = serializers.ChoiceField(choices=Correspondence.Direction.choices)
    occurred_on = DateField(help_text="When it was sent, received or held (not in the future, not before the demand).")
    channel = serializers.ChoiceField(choices=Correspondence.Channel.choices)
    counterpart = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=20_000)
    attachments = serializers.ListField(
        child=UploadField(),
        required=False,
        max_length=document_actions.MAX_ATTACHMENTS,
        help_text="PDFs, each at most 10 MB, without scripts or embedded files.",
    )
    expected_version = _expected_version()


class DocumentResultSerializer(serializers.Serializer):
    document = DocumentSerializer()
    version = serializers.IntegerField(help_text="The case's version after the change.")


class CorrespondenceResultSerializer(serializers.Serializer):
    correspondence = CorrespondenceSerializer()
    version = serializers.IntegerField(help_text="The case's version after the change.")


def _case(pk: int) -> Case:
    return get_object_or_404(Case.objects.only("pk", "version", "status"), pk=pk)


def _version(pk: int) -> int:
    return Case.objects.filter(pk=pk).values_list("version", flat=True).get()


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CaseDocumentsView(ApiView, APIView):
    """The case's documents, each with its SHA-256."""

    permission_classes = [CanAddToCaseFile]
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        operation_id="v1_cases_documents_list",
        summary="The case's documents, oldest first",
        responses={200: DocumentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _case(pk)
        rows = CaseDocument.objects.filter(case=case).select_related("uploaded_by").order_by("uploaded_at", "pk")
        return Response(DocumentSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="v1_cases_documents_create",
        summary="Add a document (a PDF) to the case",
        description="One `document_added` event names its kind, title and hash. On a closed case only counsel "
        "and API clients add documents.",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentResultSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = _case(pk)
        data = _valid(DocumentUploadSerializer, request)
        document = document_actions.add_case_document(
            case,
            kind=data["kind"],
            title=data["title"],
            file=data["file"],
            by=request.user,
            expected_version=data["expected_version"],
        )
        document = CaseDocument.objects.select_related("uploaded_by").get(pk=document.pk)
        return Response({"document": DocumentSerializer(document).data, "version": _version(case.pk)}, status=201)


class CaseCorrespondenceView(ApiView, APIView):
    """The case's correspondence log, each entry with its attachments."""

    permission_classes = [CanAddToCaseFile]
    parser_classes = [parsers.MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="v1_cases_correspondence_list",
        summary="The case's correspondence, oldest first",
        responses={200: CorrespondenceSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        case = _case(pk)
        rows = (
            Correspondence.objects.filter(case=case)
            .select_related("created_by")
            .prefetch_related("attachments__uploaded_by")
            .order_by("occurred_on", "pk")
        )
        return Response(CorrespondenceSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="v1_cases_correspondence_create",
        summary="Log a letter, e-mail or call with the authority, in or out, with its attachments",
        description="Attachments (PDFs) need multipart/form-data; without any, JSON works too. One "
        "`correspondence_recorded` event.",
        request={
            "multipart/form-data": CorrespondenceUploadSerializer,
            "application/json": CorrespondenceInputSerializer,
        },
        responses={201: CorrespondenceResultSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = _case(pk)
        if request.content_type.startswith("multipart/form-data"):
            data = _valid(CorrespondenceUploadSerializer, request)
        else:
            if isinstance(request.data, dict) and "attachments" in request.data:
                raise ValidationError({"attachments": ["Send attachments as multipart/form-data."]})
            data = _valid(CorrespondenceInputSerializer, request)
        item = document_actions.record_correspondence(
            case,
            direction=data["direction"],
            occurred_on=data["occurred_on"],
            channel=data["channel"],
            counterpart=data["counterpart"],
            summary=data["summary"],
            attachments=data.get("attachments", []),
            by=request.user,
            expected_version=data["expected_version"],
        )
        item = (
            Correspondence.objects.select_related("created_by")
            .prefetch_related("attachments__uploaded_by")
            .get(pk=item.pk)
        )
        return Response(
            {"correspondence": CorrespondenceSerializer(item).data, "version": _version(case.pk)}, status=201
        )
