"""Time an assembly's quorum and weighted result with 10,000 members and 2,000 proxies.

    .venv/bin/python -m bench.assemblies                       # SQLite, 10,000 members
    .venv/bin/python -m bench.assemblies --members 20000 --runs 5

A fresh SQLite database in bench/out/ (bench/generate.py's cooperative, its three weighted
colleges), an ordinary assembly convened to every active member, then the answers written
as members would have given them: 2,000 proxies (each holder carries one, the statutes'
limit), 500 blank proxies to the chair, 500 advance votes, the others present or remote
and signed in on the day. A resolution is put to the vote and every voice that counts
votes (holders for their principals too). Times the live quorum, the resolution's weighted
figures while open, the quorum fragment, the projection page, a holder's page and a vote
the holder casts for themselves and for their principal (Django's test client, in process,
each round right after the bare view of `bench/bench_urls.py`: a row's ratio divides
figures of the same round), and counts their queries. Prints a Markdown table and writes
it to bench/out/assemblies-latest.md.
"""

import argparse
import datetime
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DATABASE = OUT / "assemblies.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ["COMMUN_URLCONF"] = "bench.bench_urls"

PROXIES = 2_000
BLANK_PROXIES = 500
ADVANCE = 500


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="par tour")
    return parser.parse_args()


def held_assembly():
    """An assembly convened, answered, open, with a resolution at the vote."""
    from django.utils import timezone

    from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Kind
    from commun.members.models import Member

    officer = Member.objects.filter(is_officer=True, status="active").order_by("pk").first()
    AssemblyRules.of(Kind.ORDINARY).change(
        max_proxies=1, advance_votes_count=True, weighted_by_college=True
    )
    assembly = Assembly.prepare(
        officer.user,
        kind=Kind.ORDINARY,
        title="Assemblée générale annuelle",
        starts_at=timezone.now() + datetime.timedelta(days=20),
        place="Salle des fêtes",
    )
    assembly.add_item(officer.user, AgendaItem.Kind.RESOLUTION, "Comptes", "L'assemblée…")
    assembly.convene(officer.user)
    answer(assembly)
    chair = assembly.participants.filter(mode="present").exclude(member=officer).first().member
    assembly.open(officer.user, chair=chair, secretary=officer, now=assembly.starts_at)
    item = assembly.items.get(position=1)
    assembly.open_resolution(officer.user, item)
    vote(assembly, item)
    return Assembly.objects.get(pk=assembly.pk), item, officer


def answer(assembly) -> None:
    """Proxies, blank proxies and advance votes as answered; the rest signed in."""
    from django.utils import timezone

    from commun.assemblies.models import Participant

    now = timezone.now()
    everyone = list(assembly.participants.order_by("pk"))
    principals = everyone[:PROXIES]
    holders = everyone[PROXIES : 2 * PROXIES]
    for principal, holder in zip(principals, holders, strict=True):
        principal.mode, principal.holder, principal.answered_at = "proxy", holder, now
    rest = everyone[PROXIES:]
    for participant in rest[PROXIES : PROXIES + BLANK_PROXIES]:
        participant.mode, participant.answered_at = "chair", now
    voting_early = rest[PROXIES + BLANK_PROXIES : PROXIES + BLANK_PROXIES + ADVANCE]
    for participant in voting_early:
        participant.mode, participant.answered_at = "advance", now
    for index, participant in enumerate(rest):
        if participant.mode:
            continue
        participant.mode = "present" if index % 3 else "remote"
        participant.answered_at = participant.checked_in_at = now
    Participant.objects.bulk_update(
        everyone, ["mode", "holder", "answered_at", "checked_in_at"], batch_size=1000
    )


def vote(assembly, item) -> None:
    """Every voice the day counts votes: yes, no or abstain in turn."""
    from commun.assemblies.models import Vote

    choices = ("yes", "no", "yes", "abstain")
    votes = []
    for index, (voice, mode) in enumerate(assembly.voices().values()):
        if mode in ("present", "remote"):
            voter = voice.pk
        elif mode == "proxy" and voice.holder_id is not None:
            voter = voice.holder_id  # a blank proxy has none: the chair's count adds it
        else:
            continue
        choice = choices[index % 4]
        votes.append(Vote(item=item, principal_id=voice.pk, voter_id=voter, choice=choice))
    Vote.objects.bulk_create(votes, batch_size=1000)


def timed(work, bare, runs: int, requests: int) -> dict:
    """Each round, `bare()` then `work()` `requests` times each: the median of the rounds'
    medians and p95s (ms), the rounds' range of p95s, the median ratio to the bare view, and
    the median CPU time of this process (ms), which other work on a shared machine inflates
    less than the wall clock."""
    medians, p95s, ratios, cpus = [], [], [], []
    for _round in range(runs):
        floor = statistics.median(durations(bare, requests)[0])
        times, cpu = durations(work, requests)
        medians.append(statistics.median(times))
        p95s.append(times[max(0, round(len(times) * 0.95) - 1)])
        ratios.append(medians[-1] / floor)
        cpus.append(statistics.median(cpu))
    return {
        "median": statistics.median(medians),
        "p95": statistics.median(p95s),
        "low": min(p95s),
        "high": max(p95s),
        "ratio": statistics.median(ratios),
        "cpu": statistics.median(cpus),
    }


def durations(work, requests: int) -> tuple[list[float], list[float]]:
    """`work()` run `requests` times: each run's wall-clock and CPU durations in ms, sorted."""
    times, cpu = [], []
    for _i in range(requests):
        started, processed = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - processed) * 1000)
    return sorted(times), sorted(cpu)


def signed_in(client, member) -> None:
    """Sign `client` in as `member`, with a session made as logging in makes it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(member.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = member.user.get_session_auth_hash()
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def voting(client, path: str, principal=None):
    """A vote POST that alternates yes and no, for oneself or for `principal`."""
    choices = iter(("yes", "no") * 1_000_000)
    data = {"principal": principal.number} if principal else {}

    def cast():
        response = client.post(path, {**data, "choice": next(choices)})
        assert response.status_code == 302, response.status_code

    return cast


def main() -> int:
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    for stale in OUT.glob(f"{DATABASE.name}*"):
        stale.unlink()
    generate = [sys.executable, str(ROOT / "bench" / "generate.py")]
    generate += ["--members", str(args.members), "--pending", "0"]
    subprocess.run(generate, check=True, env=os.environ)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from bench import run

    setup_test_environment()
    started = time.perf_counter()
    assembly, item, _officer = held_assembly()
    filled = time.perf_counter() - started
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = run.credentials()[0]
    page = f"/assemblees/{assembly.pk}/"
    assert client.get(page + "quorum/").status_code == 200
    assert client.get(page + "projection/").status_code == 200
    holder = assembly.participants.filter(proxies__isnull=False).order_by("pk").first()
    principal = holder.proxies.get().member
    voter = Client(HTTP_HOST="127.0.0.1")
    signed_in(voter, holder.member)
    assert voter.get(page).status_code == 200
    cast = f"{page}resolutions/{item.position}/vote/"
    rows = [
        ("Assembly.quorum_status()", assembly.quorum_status),
        ("AgendaItem.count() (pondéré, en cours)", lambda: item.count(assembly)),
        (f"GET {page}quorum/", lambda: client.get(page + "quorum/")),
        (f"GET {page}projection/", lambda: client.get(page + "projection/")),
        (f"GET {page} (un·e porteur·se de pouvoir)", lambda: voter.get(page)),
        (f"POST {cast} (pour soi)", voting(voter, cast)),
        (f"POST {cast} (pour son ou sa mandant·e)", voting(voter, cast, principal)),
    ]

    def bare():
        return client.get("/bench/bare/")

    participants = assembly.participants.count()
    status = assembly.quorum_status()
    load = os.getloadavg()[0]
    lines = [
        f"Assemblée, {participants:_} convoqué·es, {PROXIES:_} pouvoirs, {BLANK_PROXIES} "
        f"pouvoirs en blanc, {ADVANCE} votes avant la séance, {item.votes.count():_} votes ; "
        f"{status['voices']:_} voix, quorum {status['needed']:_} ; SQLite, en processus, "
        f"préparation {filled:.0f} s (charge {load:.2f} au début, ".replace("_", " "),
        "",
        "| mesure | requêtes | médiane (ms) | p95 (ms) | écart des p95 (ms) | × vue nue "
        "| CPU, médiane (ms) | cible |",
        "|---|---:|---:|---:|---|---:|---:|---|",
    ]
    for name, work in rows:
        figures = timed(work, bare, args.runs, args.requests)
        lines.append(
            f"| {name} | {run.queries_in(work)} | {figures['median']:.1f} | {figures['p95']:.1f} "
            f"| {figures['low']:.1f}–{figures['high']:.1f} | {figures['ratio']:.0f} "
            f"| {figures['cpu']:.1f} | p95 < 100 ms |"
        )
    lines[0] += f"{os.getloadavg()[0]:.2f} à la fin) :"
    report = "\n".join(lines)
    print(report)
    (OUT / "assemblies-latest.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
