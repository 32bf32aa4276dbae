import pytest

from commun.privacy import crypto


@pytest.fixture
def keyring(settings):
    """Set the instance's keys for one test, and forget the cached ones around it."""

    def use(*keys):
        settings.COMMUN_DATA_KEYS = list(keys)
        crypto.keys.cache_clear()

    yield use
    crypto.keys.cache_clear()
