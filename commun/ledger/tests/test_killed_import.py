"""A process killed in the middle of importing a statement leaves no half transaction.

A child process imports thousands of bank lines into a database file (SQLite) or the test
database (PostgreSQL); once it has booked a first batch inside its single database
transaction, it is killed with SIGKILL. The books must then hold every line or none,
balanced, numbered without gaps, with their journal chain intact.
"""

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
import types
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from commun.ledger.journal import export_lines, verify_lines

ROOT = Path(__file__).resolve().parents[3]
LINES = 4000
KILL_AFTER = 800

CHILD = """
import os, sys
sys.path.insert(0, {root!r})
import django
django.setup()
from commun.accounts.models import User
from commun.ledger import imports
from commun.members.models import Member

# The books are the officers': the child acts as one (no register in this database).
officer = User.objects.create_user("treasurer@example.org")
officer.__dict__["member"] = Member(status=Member.Status.ACTIVE, is_officer=True)

text, marker = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]

def progress(booked):
    if booked == {kill_after}:
        with open(marker, "w") as f:
            f.write(str(booked))

imports.book(text, by=officer, progress=progress)
open(marker + ".done", "w").write("done")
"""


def statement() -> str:
    start = datetime.date(2026, 1, 1)
    rows = [
        f"{start + datetime.timedelta(days=n % 300):%d/%m/%Y};"
        f"Virement client {n};{n + 1},{n % 100:02d};706"
        for n in range(LINES)
    ]
    return "date;libellé;montant;compte\n" + "\n".join(rows) + "\n"


def run_and_kill(tmp_path: Path, env: dict) -> int:
    csv_path, marker = tmp_path / "releve.csv", tmp_path / "started"
    csv_path.write_text(statement(), encoding="utf-8")
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), kill_after=KILL_AFTER))
    child = subprocess.Popen(
        [sys.executable, str(script), str(csv_path), str(marker)], env=env, cwd=ROOT
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), f"the import never started writing (exit {child.poll()})"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert not Path(f"{marker}.done").exists(), "the import finished before it was killed"
    return child.returncode


def check_books(cursor) -> None:
    cursor.execute("SELECT count(*) FROM ledger_transaction")
    transactions = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM ledger_transaction WHERE label LIKE 'Virement client %%'")
    imported = cursor.fetchone()[0]
    assert imported in (0, LINES), f"{imported} of {LINES} lines booked: a half import"
    cursor.execute(
        "SELECT count(*) FROM ledger_posting p LEFT JOIN ledger_transaction t "
        "ON t.id = p.transaction_id WHERE t.id IS NULL"
    )
    assert cursor.fetchone()[0] == 0, "postings without their transaction"
    cursor.execute(
        "SELECT count(*) FROM (SELECT transaction_id FROM ledger_posting "
        "GROUP BY transaction_id HAVING sum(amount_cents) <> 0 OR count(*) < 2) AS unbalanced"
    )
    assert cursor.fetchone()[0] == 0, "unbalanced transactions"
    cursor.execute(
        "SELECT last_transaction_number, journal_length, journal_head_hash FROM ledger_books"
    )
    books = cursor.fetchone() or (0, 0, None)
    assert books[0] == transactions
    cursor.execute("SELECT min(number), max(number) FROM ledger_transaction")
    low, high = cursor.fetchone()
    assert (low, high) == ((1, transactions) if transactions else (None, None))
    cursor.execute(
        "SELECT sequence, kind, ref, payload_json, previous_hash, hash FROM ledger_journalentry "
        "ORDER BY sequence"
    )
    entries = [
        types.SimpleNamespace(sequence=s, kind=k, ref=r, payload_json=p, previous_hash=prev, hash=h)
        for s, k, r, p, prev, h in cursor.fetchall()
    ]
    count, head = verify_lines(export_lines(entries))
    assert count == books[1] and (head == books[2] or count == 0)
    cursor.execute("SELECT count(*) FROM ledger_journalentry WHERE kind = 'transaction'")
    assert cursor.fetchone()[0] == transactions


def test_a_killed_import_on_sqlite_leaves_all_or_nothing(tmp_path):
    database = tmp_path / "books.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commun.settings_test",
        "DATABASE_URL": f"sqlite:////{str(database).lstrip('/')}",
        "COMMUN_DATA_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True
    )

    assert run_and_kill(tmp_path, env) == -signal.SIGKILL

    with sqlite3.connect(database) as db:
        check_books(db.cursor())


def _database_url() -> str:
    settings = connection.settings_dict
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    if host.startswith("/"):
        return f"postgresql://{user}{password}@{port}/{settings['NAME']}?host={quote(host)}"
    return f"postgresql://{user}{password}@{host}{port}/{settings['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_import_on_postgresql_leaves_all_or_nothing(tmp_path):
    from commun.ledger.models import Account

    Account.objects.load_chart()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commun.settings_test",
        "DATABASE_URL": _database_url(),
    }

    assert run_and_kill(tmp_path, env) == -signal.SIGKILL

    # The server notices the dead client and rolls its transaction back.
    connection.close()
    with connection.cursor() as cursor:
        check_books(cursor)
        cursor.execute("SELECT count(*) FROM ledger_monthlytotal")
        assert cursor.fetchone()[0] == 0
