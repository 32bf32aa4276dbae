"""Settings read from a clean environment, in a fresh process, as a self-hoster starts Commun."""

import os
import re
import secrets
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


def documented_production_env() -> dict[str, str]:
    """The /etc/commun/commun.env of docs/self-hosting.md, as systemd reads it."""
    doc = (ROOT / "docs" / "self-hosting.md").read_text()
    block = re.search(r"```sh\n# /etc/commun/commun.env.*?\n(.*?)```", doc, re.S).group(1)
    env = {}
    for line in block.splitlines():
        if "=" in line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value.strip('"')
    return env


def explained_checks() -> set[str]:
    """The `check --deploy` warnings the self-hosting guide explains, by their id."""
    doc = (ROOT / "docs" / "self-hosting.md").read_text()
    section = doc.split("### Ce que `check --deploy` signale encore", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"`(\w+\.[WE]\d{3})`", section))


def test_check_deploy_with_the_documented_settings_says_nothing_unexplained(tmp_path):
    env = {**documented_production_env(), "COMMUN_DATA_DIR": str(tmp_path)}
    assert env["SECRET_KEY"] and env["BEHIND_HTTPS_PROXY"] == "1"
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # the guide says to draw one

    checked = start(
        tmp_path,
        "from django.core.management import call_command; call_command('check', deploy=True)",
        **env,
    )

    assert checked.returncode == 0, checked.stderr
    reported = set(re.findall(r"\((\w+\.[WE]\d{3})\)", checked.stderr + checked.stdout))
    assert reported <= explained_checks(), reported - explained_checks()


def test_behind_pgbouncer_in_transaction_pooling_no_cursor_or_statement_outlives_a_transaction(
    tmp_path,
):
    url = "postgres://commun@127.0.0.1:6432/commun"
    show = "from django.conf import settings; d = settings.DATABASES['default']; "
    show += "print(d.get('DISABLE_SERVER_SIDE_CURSORS'), d['OPTIONS'].get('prepare_threshold', 5))"
    pooled = start(
        tmp_path, print_=show, DEBUG="1", DATABASE_URL=url, DATABASE_POOLING="transaction"
    )
    unknown = start(tmp_path, DEBUG="1", DATABASE_URL=url, DATABASE_POOLING="session")

    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.split() == ["True", "None"]
    assert unknown.returncode != 0 and "DATABASE_POOLING" in unknown.stderr


CLIENT_IP = """
from django.test import RequestFactory
from allauth.core.internal.httpkit import get_client_ip
# nginx appends the address it saw to whatever the client sent (`$proxy_add_x_forwarded_for`).
request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1",
                               HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
print(get_client_ip(request))
"""


def test_behind_the_documented_proxy_login_limits_count_each_visitor_not_the_proxy(tmp_path):
    """allauth limits login attempts per address: behind nginx, every visitor would otherwise
    share the proxy's 127.0.0.1, and five wrong passwords anywhere would lock everyone out."""
    behind = start(tmp_path, CLIENT_IP, **documented_production_env())
    direct = start(tmp_path, CLIENT_IP, DEBUG="1")

    assert behind.stdout.strip() == "203.0.113.7", behind.stderr  # not the forged 6.6.6.6
    assert direct.stdout.strip() == "127.0.0.1", direct.stderr  # no proxy: its header is ignored
