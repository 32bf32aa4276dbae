"""`make load` cannot rot unseen: its Locust users, for a few seconds against `commun serve`
on a tiny cooperative, exercise every request kind without a single failure."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(
    os.getenv("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's pass runs it: the load test brings its own database",
)
def test_every_kind_of_request_of_the_load_test_succeeds(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DATABASE_POOLING", "SECRET_KEY")
    } | {"DJANGO_SETTINGS_MODULE": "commun.settings", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "bench/load.py", "--databases", "sqlite", "--members", "60"]
    command += ["--users", "10", "--spawn-rate", "10", "--time", "10s", "--think", "0.3"]
    command += ["--workers", "2", "--out", str(tmp_path)]
    run = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    (results,) = [json.loads(path.read_text()) for path in tmp_path.glob("load-2*.json")]
    (sqlite,) = results
    kinds = subprocess.run(
        [sys.executable, "-c", "from bench.locustfile import KINDS; print(*KINDS, sep='\\n')"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert sqlite["errors"] == []
    assert sqlite["failures"] == 0
    assert sorted(sqlite["kinds"]) == sorted(kinds)
    assert all(kind["requests"] > 0 for kind in sqlite["kinds"].values())
    assert (
        "| POST /decisions/[id]/position/ (position) |" in (tmp_path / "load-latest.md").read_text()
    )
