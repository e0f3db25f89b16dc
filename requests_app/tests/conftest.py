import pytest

from jurisdictions.models import ControllingEntity, DataLocation


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(
        name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft
    )
    ireland.designated_for.add(msft)
    return {
        "msft": msft,
        "ireland": ireland,
        "quincy": DataLocation.objects.create(name="Quincy", country_id="US", operated_by=msft),
        "dublin": DataLocation.objects.create(name="Dublin", country_id="IE", operated_by=ireland),
    }
