"""The English catalogue in tests, from the current .po (a plugin of commun/conftest.py)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ENGLISH_PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory):
    """The current English catalogue, compiled where these tests alone read it."""
    if not shutil.which("msgfmt"):
        pytest.skip("msgfmt missing (apt install gettext)")
    locale = tmp_path_factory.mktemp("locale")
    target = locale / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run(
        ["msgfmt", "--check", "-o", str(target / "django.mo"), str(ENGLISH_PO)], check=True
    )
    return locale


@pytest.fixture
def english(settings, compiled_locale):
    settings.LOCALE_PATHS = [compiled_locale]
