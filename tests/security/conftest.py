"""Fixtures of the scale-out and upload tests: a private SeaweedFS serving S3 for the
session, the app's default storage pointed at it, and the intake's catalogue data."""

import uuid

import pytest

from cases.tests.conftest import version  # noqa: F401 - a fixture, re-exported for these tests
from config.settings import s3_storage
from requests_app.tests.conftest import data_map  # noqa: F401 - a fixture, re-exported for these tests
from tests.seaweedfs import seaweed_s3


@pytest.fixture(scope="session")
def seaweed():
    """One SeaweedFS for the session on spare loopback ports, in a temp dir; stopped
    (and the dir removed) when the session ends. Skips without `weed`, except in CI."""
    with seaweed_s3() as server:
        yield server


@pytest.fixture
def object_storage(seaweed, settings):
    """The default storage is this test's own bucket on the SeaweedFS, as STORAGE_URL
    would make it; returns (server, bucket)."""
    bucket = f"t-{uuid.uuid4().hex[:12]}"
    seaweed.create_bucket(bucket)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(seaweed.storage_url(bucket))}
    return seaweed, bucket
