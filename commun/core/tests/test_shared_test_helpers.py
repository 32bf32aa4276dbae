"""What tests share lives in commun/testing/ (plain functions) or in an app's
tests/conftest.py (fixtures): no test imports another test module, of its own app or another."""

import re
from pathlib import Path

COMMUN = Path(__file__).resolve().parents[2]
TESTS_IMPORT = re.compile(r"^\s*(?:from|import) (commun\.\w+\.tests\b[\w.]*)", re.M)
RELATIVE_IMPORT = re.compile(r"^\s*from \.", re.M)


def test_no_test_imports_another_test_module():
    crossing = [
        f"{path.relative_to(COMMUN)} imports {module}"
        for path in COMMUN.rglob("*.py")
        for module in TESTS_IMPORT.findall(path.read_text())
    ]
    relative = [
        str(path.relative_to(COMMUN))
        for path in COMMUN.rglob("tests/*.py")
        if RELATIVE_IMPORT.search(path.read_text())
    ]

    assert crossing == [], "move what is shared to commun/testing/ or the app's tests/conftest.py"
    assert relative == []
