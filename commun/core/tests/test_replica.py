"""The read replica (DATABASE_REPLICA_URL, commun/core/replica.py): a visitor's public reads go
to it; a member's pages, every write and every read after a write stay on the primary.

The rules first (any database), then against the streaming standby that the PostgreSQL pass
of `make test` starts beside its primary (commun/testing/pgcluster.py)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from commun.conftest import client_for
from commun.core.replica import REPLICA, ReplicaRouter, public_read
from commun.members.models import Category, College, Cooperative

ROUTER = "commun.core.replica.ReplicaRouter"
ROOT = Path(__file__).resolve().parents[3]


@public_read
def _where_reads_go(request):
    """A public read that answers where a read of the members' register would go."""
    return HttpResponse(ReplicaRouter().db_for_read(Category))


def _visitor(method="get", **headers):
    return getattr(RequestFactory(), method)("/", headers=headers)


def test_a_visitor_s_public_read_goes_to_the_replica():
    assert _where_reads_go(_visitor()).content.decode() == REPLICA
    assert _where_reads_go(_visitor("head")).content.decode() == REPLICA


def test_outside_a_public_read_everything_goes_to_the_primary():
    assert ReplicaRouter().db_for_read(Category) == DEFAULT_DB_ALIAS
    assert ReplicaRouter().db_for_write(Category) == DEFAULT_DB_ALIAS


def test_a_member_a_token_or_a_post_reads_the_primary():
    member = _visitor()
    member.user = SimpleNamespace(is_authenticated=True)
    with_token = _visitor(Authorization="Bearer cmn_x")
    for request in (member, with_token, _visitor("post")):
        assert _where_reads_go(request).content.decode() == DEFAULT_DB_ALIAS


def test_a_transaction_reads_the_primary(monkeypatch):
    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "in_atomic_block", True)
    assert _where_reads_go(_visitor()).content.decode() == DEFAULT_DB_ALIAS


def test_the_session_and_the_cache_are_read_on_the_primary():
    @public_read
    def view(request):
        return HttpResponse(ReplicaRouter().db_for_read(Session))

    assert view(_visitor()).content.decode() == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True)
def test_once_the_request_wrote_its_reads_go_to_the_primary(coop):
    @public_read
    def view(request):
        before = ReplicaRouter().db_for_read(Category)
        Cooperative.get()  # get_or_create: the primary, but nothing written
        found = ReplicaRouter().db_for_read(Category)
        Cooperative.objects.filter(pk=1).update(name="Nouveau nom")
        return HttpResponse(f"{before} {found} {ReplicaRouter().db_for_read(Category)}")

    assert view(_visitor()).content.decode() == f"{REPLICA} {REPLICA} {DEFAULT_DB_ALIAS}"


def test_a_download_reads_the_replica_while_it_is_sent():
    @public_read
    def download(request):
        return StreamingHttpResponse(ReplicaRouter().db_for_read(Category) for _ in range(2))

    response = download(_visitor())
    assert ReplicaRouter().db_for_read(Category) == DEFAULT_DB_ALIAS  # the view returned
    assert b"".join(response.streaming_content) == f"{REPLICA}{REPLICA}".encode()


def test_migrations_run_only_on_the_primary():
    assert ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "members")
    assert not ReplicaRouter().allow_migrate(REPLICA, "members")


def _databases_and_routers(database_url: str, replica_url: str) -> str:
    """What settings.py makes of these variables, in a fresh process."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "commun.settings",
        "DATABASE_URL": database_url,
        "DATABASE_REPLICA_URL": replica_url,
        "SECRET_KEY": "x",
        "PYTHONPATH": str(ROOT),
    }
    code = (
        "from django.conf import settings as s;"
        "print(sorted(s.DATABASES), s.DATABASE_ROUTERS, s.DATABASES.get('replica', {}).get('HOST'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_router_and_the_replica_exist_only_with_a_replica_url(tmp_path):
    primary, standby = "postgres://writer@primary/commun", "postgres://reader@standby/commun"
    assert (
        _databases_and_routers(primary, standby) == f"['default', 'replica'] ['{ROUTER}'] standby"
    )
    assert _databases_and_routers(primary, "") == "['default'] [] None"
    # A SQLite database has no standby: a command run on one ignores the replica.
    sqlite = f"sqlite:///{tmp_path}/commun.sqlite3"
    assert _databases_and_routers(sqlite, standby) == "['default'] [] None"


# Against the streaming standby -------------------------------------------------------------


def on_the_standby(test):
    """Committed rows (transaction=True): the standby only ever sees what was committed."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.skipif(
            not os.environ.get("DATABASE_REPLICA_URL"),
            reason="needs the standby of the PostgreSQL pass (commun.testing.pgcluster)",
        ),
        pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
    ):
        test = mark(test)
    return test


@pytest.fixture
def routed(settings):
    """The router on, as DATABASE_REPLICA_URL sets it (settings_test.py keeps it off)."""
    settings.DATABASE_ROUTERS = [ROUTER]
    assert router.db_for_write(Category) == DEFAULT_DB_ALIAS


def _one(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _until_the_standby_has_replayed(timeout: float = 10):
    written = _one(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout
    while not _one(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]):
        assert time.monotonic() < deadline, "the standby did not replay the primary's WAL"
        time.sleep(0.02)


class _Paused:
    """The standby stops replaying: what the primary writes now, only the primary has."""

    def __enter__(self):
        _until_the_standby_has_replayed()
        _one(REPLICA, "SELECT pg_wal_replay_pause()::text")

    def __exit__(self, *exc):
        _one(REPLICA, "SELECT pg_wal_replay_resume()::text")


def _queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


@on_the_standby
def test_the_standby_streams_what_the_primary_writes(coop):
    assert _one(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _one(DEFAULT_DB_ALIAS, "SELECT pg_is_in_recovery()") is False
    Cooperative.objects.filter(pk=1).update(name="Écrit sur le primaire")
    deadline = time.monotonic() + 10
    on_the_standby = Cooperative.objects.using(REPLICA).filter(pk=1).values_list("name", flat=True)
    while on_the_standby.first() != "Écrit sur le primaire":
        assert time.monotonic() < deadline, "the row never reached the standby"
        time.sleep(0.02)


def _new_category() -> Category:
    college = College.objects.get(name="Usager·es")
    return Category.objects.create(name="Bénévoles", college=college, min_shares=1, position=4)


@on_the_standby
def test_a_visitor_reads_public_pages_on_the_replica_a_member_reads_the_primary(routed, coop, bob):
    member = client_for(bob.user)
    with _Paused():
        _new_category()
        with _queries(REPLICA) as on_replica:
            visitor_api = Client().get("/api/v1/categories").json()
            visitor_home = Client().get("/").content.decode()
        visitor_reads = len(on_replica)  # counted now: the next request clears the log
        download = Client().get("/communs-amont/dons.csv")
        with _queries(REPLICA) as on_replica:
            b"".join(download.streaming_content)
        download_reads = len(on_replica)
        with _queries(REPLICA) as on_replica:
            member_api = member.get("/api/v1/categories").json()
            member_home = member.get("/").content.decode()
        member_reads_on_replica = len(on_replica)
    # The visitor read the standby, paused before the new category: a page a moment old.
    assert visitor_reads >= 4
    assert "Bénévoles" not in {row["name"] for row in visitor_api}
    assert "Bénévoles" not in visitor_home
    assert download_reads >= 1  # a download reads the replica while it is sent
    # The member read the primary, and only it.
    assert member_reads_on_replica == 0
    assert "Bénévoles" in {row["name"] for row in member_api}
    assert "Bénévoles" in member_home
    # Replay resumed, the visitor sees it too, a moment later (the replayed WAL position can
    # run ahead of what a new snapshot on the standby shows).
    deadline = time.monotonic() + 10
    while "Bénévoles" not in {row["name"] for row in Client().get("/api/v1/categories").json()}:
        assert time.monotonic() < deadline, "the visitor never saw the new category"
        time.sleep(0.05)


@on_the_standby
def test_a_member_sees_their_comment_at_once_and_a_post_never_touches_the_replica(
    routed, coop, bob, users_space
):
    thread = users_space.start_thread(bob, "Le jardin partagé", "Qui arrose en août ?")
    member = client_for(bob.user)
    with _Paused(), _queries(REPLICA) as on_replica:
        posted = member.post(f"/fils/{thread.pk}/commenter/", {"body": "Moi, la première semaine."})
        page = member.get(f"/fils/{thread.pk}/").content.decode()
        applied = Client().post(
            "/api/v1/applications",
            {
                "first_name": "Hélène",
                "last_name": "Martin",
                "email": "helene@example.org",
                "password": "correct horse battery staple",
                "category": Category.objects.get(name__startswith="Partenaires").pk,
                "shares": 1,
                "consents_to_charter": True,
                "consents_to_privacy": True,
            },
            content_type="application/json",
        )
    assert posted.status_code == 302
    assert "Moi, la première semaine." in page
    assert applied.status_code == 201, applied.content
    assert len(on_replica) == 0
