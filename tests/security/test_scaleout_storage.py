"""Documents in S3-compatible object storage (STORAGE_URL), so that every machine serves
what any machine received: private objects stored as PDFs, read back only through the
app's permission-checked views. The local disk stays the embedded default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import CaseEvent
from cases.tests.builders import full_case
from config.settings import s3_storage
from requests_app.models import Demand
from requests_app.tests.test_intake import payload
from tests.security.pdfs import clean_pdf

ROOT = Path(__file__).resolve().parents[2]


def _storage_backend(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"STORAGE_URL", "PYTEST_VERSION"}}
    code = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- settings ----------------------------------------------------------------------------


def test_local_disk_is_the_embedded_default_and_storage_url_selects_s3():
    assert _storage_backend().stdout.strip() == "django.core.files.storage.FileSystemStorage"
    chosen = _storage_backend(STORAGE_URL="s3://key:secret@s3.eu-west-1.amazonaws.com/lexloci?region=eu-west-1")
    assert chosen.stdout.strip() == "storages.backends.s3.S3Storage", chosen.stderr


def test_storage_url_is_read_into_private_s3_options():
    options = s3_storage("s3+http://AK:s%2Fe%2Bc@127.0.0.1:8333/docs/lexloci/prod?region=eu-west-1")["OPTIONS"]
    assert options["endpoint_url"] == "http://127.0.0.1:8333"
    assert (options["access_key"], options["secret_key"]) == ("AK", "s/e+c")
    assert (options["bucket_name"], options["location"], options["region_name"]) == (
        "docs",
        "lexloci/prod",
        "eu-west-1",
    )
    assert options["default_acl"] is None  # no public-read ACL on any object
    assert options["file_overwrite"] is False  # a second "warrant.pdf" never replaces the first
    assert options["client_config"].s3 == {"addressing_style": "path"}
    tls = s3_storage("s3://minio.internal/docs")["OPTIONS"]
    assert tls["endpoint_url"] == "https://minio.internal" and "access_key" not in tls  # boto3's own credentials


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://127.0.0.1:8333/docs", "must start with s3://"),
        ("s3://127.0.0.1:8333", "must name the host and the bucket"),
        ("s3:///docs", "must name the host and the bucket"),
        ("s3://127.0.0.1:notaport/docs", "not a usable URL"),
        ("s3://127.0.0.1/docs?regoin=eu-west-1", "unknown parameters ['regoin']"),
        ("s3://127.0.0.1/docs?addressing=sideways", "addressing must be path or virtual"),
    ],
)
def test_a_bad_storage_url_fails_loudly(url, complaint):
    with pytest.raises(ImproperlyConfigured, match=None) as refused:
        s3_storage(url)
    assert complaint in str(refused.value)


def test_the_app_refuses_to_start_on_a_bad_storage_url():
    result = _storage_backend(STORAGE_URL="s3://127.0.0.1:8333")
    assert result.returncode != 0 and "STORAGE_URL must name the host and the bucket" in result.stderr


# --- a real S3 (SeaweedFS) -----------------------------------------------------------------


def test_intake_stores_the_warrant_in_the_bucket_and_the_view_reads_it_back(
    client, intake_user, viewer_user, data_map, object_storage
):
    server, bucket = object_storage
    body = clean_pdf()
    client.force_login(intake_user)
    upload = SimpleUploadedFile("warrant.pdf", body, content_type="text/html")  # the browser's claim is ignored
    response = client.post(reverse("demands:new"), {**payload(data_map), "document": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    demand = Demand.objects.get()
    key = demand.document.name
    s3 = server.client()
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "application/pdf"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    # Private: no public grant, and the object is refused without credentials.
    grants = s3.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    assert not [g for g in grants if "AllUsers" in str(g.get("Grantee", {}).get("URI", ""))]
    assert requests.get(f"{server.endpoint}/{bucket}/{key}", timeout=10).status_code == 403

    client.force_login(viewer_user)
    page = client.get(reverse("cases:detail", args=[demand.case.pk])).content.decode()
    link = reverse("demands:document", args=[demand.pk])
    assert link in page and server.endpoint not in page and "X-Amz-" not in page  # no signed URL on the page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == body
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_an_event_document_goes_to_the_bucket_and_back(client, counsel_user, viewer_user, version, object_storage):
    server, bucket = object_storage
    body = clean_pdf()
    case = full_case(version)
    client.force_login(counsel_user)
    data = {
        "event-version": case.version,
        "event-kind": "order_issued",
        "event-occurred_on": "2026-01-03",
        "event-document": SimpleUploadedFile("order.html", body, content_type="text/html"),
    }
    assert client.post(reverse("cases:record_event", args=[case.pk]), data).status_code == 302
    event = CaseEvent.objects.get(case=case, kind="order_issued")
    assert server.client().head_object(Bucket=bucket, Key=event.document.name)["ContentType"] == "application/pdf"
    client.force_login(viewer_user)
    download = client.get(reverse("cases:event_document", args=[case.pk, event.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == body
    assert download["Content-Disposition"].startswith("attachment;")


def test_two_uploads_of_the_same_name_are_two_objects(object_storage):
    from django.core.files.base import ContentFile

    first = default_storage.save("demands/2026/01/warrant.pdf", ContentFile(b"%PDF-1 first"))
    second = default_storage.save("demands/2026/01/warrant.pdf", ContentFile(b"%PDF-1 second"))
    assert first != second
    assert default_storage.open(first).read() == b"%PDF-1 first"


def test_a_document_missing_from_the_bucket_is_404(client, viewer_user, object_storage):
    from tests.factories import DemandFactory

    demand = DemandFactory()
    Demand.objects.filter(pk=demand.pk).update(document="demands/2026/01/gone.pdf")
    client.force_login(viewer_user)
    assert client.get(reverse("demands:document", args=[demand.pk])).status_code == 404


def test_the_admin_links_the_document_to_the_app_not_the_bucket(admin_client, data_map, object_storage):
    from tests.factories import DemandFactory

    server, _ = object_storage
    demand = DemandFactory()
    demand.document.save("warrant.pdf", SimpleUploadedFile("warrant.pdf", clean_pdf()), save=True)
    page = admin_client.get(reverse("admin:requests_app_demand_change", args=[demand.pk])).content.decode()
    assert reverse("demands:document", args=[demand.pk]) in page
    assert server.endpoint not in page and "X-Amz-" not in page
