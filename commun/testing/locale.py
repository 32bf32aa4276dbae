"""The English catalogue in tests, from the current .po (a plugin of commun/conftest.py)."""

import ast
import re
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


def entries(path: Path) -> list[dict]:
    """The live entries of a .po file (blank-line separated): msgid, msgstr by index, flags,
    and the files that use it."""
    found = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry, field = {"flags": set(), "msgstr": {}, "files": set()}, None
        for line in block.strip().splitlines():
            line = line.strip()
            if line.startswith("#~"):  # obsolete
                entry = {}
                break
            if line.startswith("#:"):
                entry["files"] |= {place.rpartition(":")[0] for place in line[2:].split()}
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith('"'):
                field[0][field[1]] += ast.literal_eval(line)
            elif not line.startswith("#"):
                keyword, _, value = line.partition(" ")
                index = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
                if index:
                    field = (entry["msgstr"], int(index[1]))
                elif keyword == "msgstr":
                    field = (entry["msgstr"], 0)
                else:
                    field = (entry, keyword)
                field[0][field[1]] = ast.literal_eval(value)
        if "msgid" in entry:
            found.append(entry)
    return found
