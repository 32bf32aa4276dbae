import pytest


@pytest.fixture
def officer(alice):
    """The books are the officers': Alice records, imports and closes."""
    return alice.user
