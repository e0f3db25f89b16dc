import pytest

from jurisdictions.models import CatalogueVersion


@pytest.fixture
def version(db):
    """A catalogue version for analyses that are written by hand."""
    return CatalogueVersion.objects.create(number=1, content_hash="0" * 64, source="files")
