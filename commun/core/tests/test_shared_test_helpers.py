"""What tests share lives in commun/testing/: no test imports another app's tests."""

import re
from pathlib import Path

COMMUN = Path(__file__).resolve().parents[2]
TESTS_IMPORT = re.compile(r"^\s*(?:from|import) commun\.(\w+)\.tests\b", re.M)


def test_no_test_imports_another_app_s_tests():
    crossing = [
        f"{path.relative_to(COMMUN)} imports commun.{app}.tests"
        for path in COMMUN.rglob("*.py")
        for app in TESTS_IMPORT.findall(path.read_text())
        if path.relative_to(COMMUN).parts[0] != app
    ]

    assert crossing == [], "move what is shared to commun/testing/"
