"""Settings read from a clean environment, in a fresh process, as a self-hoster starts Commun."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def start(data_dir: Path, print_=PRINT_KEY, **env) -> subprocess.CompletedProcess:
    """Load commun.settings with only `env` set, as systemd would with its EnvironmentFile."""
    clean = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "commun.settings",
        "COMMUN_DATA_DIR": str(data_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {print_}"],
        env=clean,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    for env in ({}, {"DEBUG": "0"}, {"DEBUG": "0", "COMMUN_PRODUCTION": "0"}):
        started = start(tmp_path, **env)

        assert started.returncode != 0, started.stdout
        assert "SECRET_KEY" in started.stderr
        assert "secrets.token_urlsafe" in started.stderr  # says how to draw one
        assert not (tmp_path / "secret-key").exists()


def test_a_given_secret_key_is_used_as_is(tmp_path):
    started = start(tmp_path, SECRET_KEY="une-clé-de-production-longue-et-secrète")

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "une-clé-de-production-longue-et-secrète"
    assert not (tmp_path / "secret-key").exists()


def test_in_development_a_random_key_is_drawn_once_and_kept(tmp_path):
    first = start(tmp_path, DEBUG="1")
    again = start(tmp_path, DEBUG="1")
    elsewhere = start(tmp_path / "autre", DEBUG="1")

    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50 and "insecure" not in key
    assert again.stdout.strip() == key  # sessions survive a restart of `make run`
    assert elsewhere.stdout.strip() not in ("", key)
    mode = stat.S_IMODE((tmp_path / "secret-key").stat().st_mode)
    assert mode == 0o600


def test_links_lead_to_the_port_of_the_server_by_default(tmp_path):
    # As `PORT=8080 make run` starts it.
    shown = start(
        tmp_path,
        "from django.conf import settings; print(settings.SITE_URL)",
        DEBUG="1",
        PORT="8080",
    )

    assert shown.stdout.strip() == "http://127.0.0.1:8080", shown.stderr
