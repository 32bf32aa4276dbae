"""The public calendar and each member's own, at a secret address they control."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from commun.board.models import Task
from commun.conftest import client_for
from commun.feeds import calendars
from commun.feeds.models import CalendarLink
from commun.members.models import Member
from commun.testing.board import task_on
from commun.testing.budgets import fund, invoice, need_by, submitted
from commun.testing.decisions import opened

CALENDAR_QUERIES = 6


def read(client: Client, path: str) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> dict[str, object]:
    return {str(event["summary"]): event for event in cal.walk("VEVENT")}


def secret_of(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


# The public calendar --------------------------------------------------------------------------


def test_the_public_calendar_has_public_deadlines_and_mission_dates_only(record):
    found = events(read(Client(), "/calendrier.ics"))
    ref = record["mission"].ref

    assert set(found) == {
        "Échéance : Acheter un serveur",
        "Échéance : Changer de banque",
        f"Échéance : Mission {ref} : Maintenir la billetterie",
        f"Mission {ref} : Maintenir la billetterie",
    }
    mission = found[f"Mission {ref} : Maintenir la billetterie"]
    assert mission.decoded("dtstart") == datetime.date(2026, 1, 1)
    assert mission.decoded("dtend") == datetime.date(2026, 2, 1)  # one month, end exclusive
    assert "Retirée" in str(found["Échéance : Changer de banque"]["description"])


def test_a_deadline_is_in_the_site_zone_and_its_stamp_in_utc(record):
    cal = read(Client(), "/calendrier.ics")
    event = events(cal)["Échéance : Acheter un serveur"]

    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event.decoded("dtstart") == record["open"].closes_at.replace(microsecond=0)
    assert event.decoded("dtstamp").utcoffset() == datetime.timedelta(0)
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_each_event_keeps_its_uid_and_the_same_database_gives_the_same_bytes(record):
    first = Client().get("/calendrier.ics")
    second = Client().get("/calendrier.ics")

    assert first.content == second.content
    uids = [str(e["uid"]) for e in Calendar.from_ical(first.content).walk("VEVENT")]
    assert f"decision-{record['open'].pk}-echeance@testserver" in uids  # SITE_URL's host
    assert f"mission-{record['mission'].pk}@testserver" in uids
    assert len(set(uids)) == len(uids)


def test_the_calendar_answers_304_to_a_reader_that_holds_it(record):
    etag = Client().get("/calendrier.ics")["ETag"]

    assert Client().get("/calendrier.ics", headers={"if-none-match": etag}).status_code == 304


def test_the_public_calendar_reads_in_the_same_number_of_queries_however_many_events(
    record, alice, bob, django_assert_max_num_queries
):
    with django_assert_max_num_queries(CALENDAR_QUERIES) as few:
        read(Client(), "/calendrier.ics")
    fund(10_000)
    need = need_by(bob, title="Encore")
    for i in range(3):
        submitted(bob, need, **invoice(1000 + i))
        opened(alice, title=f"Décision {i}")
        task_on(need, bob, title=f"Tâche {i}", due_on=timezone.localdate())
    with django_assert_max_num_queries(len(few.captured_queries)):
        read(Client(), "/calendrier.ics")


# The personal calendar ------------------------------------------------------------------------


@pytest.fixture
def bobs_url(bob):
    _link, secret = CalendarLink.objects.issue(bob.user)
    return f"/calendrier/{secret}.ics"


def test_my_calendar_has_the_decisions_awaiting_my_voice_until_i_can_no_longer_change_it(
    record, alice, bob, bobs_url
):
    vote = opened(alice, "yes_no", title="Voter le budget")
    secret = opened(alice, "yes_no", is_secret=True, title="Élire la présidence")
    vote.current_round.take_stance(bob, "yes")
    secret.current_round.cast_secret_ballot(bob, "yes")

    found = events(read(Client(), bobs_url))
    ref = record["mission"].ref

    assert set(found) == {
        "Échéance : Acheter un serveur",
        f"Échéance : Mission {ref} : Maintenir la billetterie",
        "Échéance : Décision entre associé·es",
        "Échéance : Décision du collège des usager·es",
        "Échéance : Voter le budget",
    }
    assert "pas encore pris position" in str(found["Échéance : Acheter un serveur"]["description"])
    assert "encore en changer" in str(found["Échéance : Voter le budget"]["description"])


def test_my_calendar_leaves_out_what_i_am_not_eligible_for(record, alice, gus):
    _link, secret = CalendarLink.objects.issue(gus.user)
    opened(alice, "yes_no", title="Voter le budget")

    found = events(read(Client(), f"/calendrier/{secret}.ics"))

    # Gus joined after the record's decisions opened: eligibility is fixed at the opening.
    assert set(found) == {"Échéance : Voter le budget"}


def test_my_calendar_speaks_the_language_i_chose(record, bob, bobs_url):
    Member.objects.filter(pk=bob.pk).update(language="en")

    found = events(read(Client(), bobs_url))

    assert "Deadline: Acheter un serveur" in found
    assert "not taken a stance yet" in str(found["Deadline: Acheter un serveur"]["description"])


def test_a_revoked_address_answers_404(bob, bobs_url):
    assert CalendarLink.objects.revoke(bob.user)

    assert Client().get(bobs_url).status_code == 404


def test_a_new_address_replaces_the_old_one(bob, bobs_url):
    _link, secret = CalendarLink.objects.issue(bob.user)

    assert Client().get(bobs_url).status_code == 404
    assert Client().get(f"/calendrier/{secret}.ics").status_code == 200
    assert CalendarLink.objects.count() == 1


@pytest.mark.parametrize("secret", ["inconnu", "x" * 200, "%00"])
def test_an_unknown_address_answers_404(coop, secret):
    assert Client().get(f"/calendrier/{secret}.ics").status_code == 404


def test_a_member_who_left_has_no_calendar_any_more(bob, bobs_url):
    Member.objects.filter(pk=bob.pk).update(status=Member.Status.LEFT)

    assert Client().get(bobs_url).status_code == 404


def test_my_calendar_is_private_to_caches(bob, bobs_url):
    response = Client().get(bobs_url)

    assert "private" in response["Cache-Control"]


def test_my_calendar_reads_in_the_same_number_of_queries_however_many_decisions(
    record, alice, bob, bobs_url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(CALENDAR_QUERIES) as few:
        read(Client(), bobs_url)
    for i in range(3):
        opened(alice, "yes_no", title=f"Vote {i}")
        task = task_on(record["mission"].need, bob, title=f"Tâche {i}", due_on=timezone.localdate())
        task.take(bob)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(events(read(Client(), bobs_url))) == 10


# The page where a member manages it ------------------------------------------------------------


def test_the_page_shows_a_new_address_once_and_keeps_only_its_hash(bob):
    client = client_for(bob.user)

    response = client.post("/compte/calendrier/", {"action": "issue"})

    url = response.context["url"]
    assert url.startswith("http://testserver/calendrier/")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert secret_of(url) not in client.get("/compte/calendrier/").content.decode()
    assert secret_of(url) not in str(list(CalendarLink.objects.values()))
    assert Client().get(url.removeprefix("http://testserver")).status_code == 200


def test_revoking_from_the_page_ends_the_address(bob, bobs_url):
    response = client_for(bob.user).post("/compte/calendrier/", {"action": "revoke"})

    assert response.status_code == 302
    assert Client().get(bobs_url).status_code == 404


def test_another_member_cannot_revoke_or_replace_my_address(bob, gus, bobs_url):
    client = client_for(gus.user)
    client.post("/compte/calendrier/", {"action": "revoke"})
    client.post("/compte/calendrier/", {"action": "issue"})

    assert Client().get(bobs_url).status_code == 200
    assert CalendarLink.objects.filter(member=bob).exists()


def test_the_page_is_for_members(dan, carol):
    assert client_for(dan).get("/compte/calendrier/").status_code == 403
    assert (
        client_for(carol.user).post("/compte/calendrier/", {"action": "issue"}).status_code == 403
    )
    assert Client().get("/compte/calendrier/").status_code == 302
    assert not CalendarLink.objects.exists()


def test_the_public_calendar_is_written_once_a_minute_per_language(record, alice, settings):
    settings.COMMUN_CALENDAR_SECONDS = 60
    try:
        first = Client().get("/calendrier.ics").content
        opened(alice, title="Une décision de plus")

        assert Client().get("/calendrier.ics").content == first
        english = Client(headers={"accept-language": "en"}).get("/calendrier.ics").content
        assert b"Une d\xc3\xa9cision de plus" in english
        assert b"Deadline: " in english
    finally:
        calendars._PUBLIC.clear()


# Tasks ------------------------------------------------------------------------------------------


def test_tasks_due_show_as_whole_days_publicly_and_in_the_calendar_of_who_took_them(
    record, bob, gus, bobs_url
):
    need = record["mission"].need
    due = timezone.localdate() + datetime.timedelta(days=10)
    taken = task_on(need, bob, title="Réparer le paiement", due_on=due)
    taken.take(bob)
    task_on(need, bob, title="Traduire l'aide", due_on=due)
    task_on(need, bob, title="Abandonnée", due_on=due).abandon(bob, reason="Plus utile.")

    public = events(read(Client(), "/calendrier.ics"))
    mine = events(read(Client(), bobs_url))

    shown = {"Tâche à rendre : Réparer le paiement", "Tâche à rendre : Traduire l'aide"}
    assert {summary for summary in public if summary.startswith("Tâche")} == shown
    event = public["Tâche à rendre : Réparer le paiement"]
    assert (event.decoded("dtstart"), event.decoded("dtend")) == (
        due,
        due + datetime.timedelta(days=1),
    )
    assert str(event["uid"]) == f"tache-{taken.pk}-echeance@testserver"
    assert "En cours" in str(event["description"])
    assert {summary for summary in mine if summary.startswith("Tâche")} == {
        "Tâche à rendre : Réparer le paiement"
    }
    gus_url = f"/calendrier/{CalendarLink.objects.issue(gus.user)[1]}.ics"
    assert not [summary for summary in events(read(Client(), gus_url)) if "Tâche" in summary]


def test_a_row_whose_dates_no_calendar_holds_is_left_out_not_a_500(record, bob, bobs_url):
    """Dates are bounded when written; a row from before the bound must not break the file."""
    task = task_on(record["mission"].need, bob, title="Un jour", due_on=timezone.localdate())
    task.take(bob)
    Task.objects.filter(pk=task.pk).update(due_on=datetime.date(9999, 12, 31))

    assert "Tâche à rendre : Un jour" not in events(read(Client(), "/calendrier.ics"))
    assert "Tâche à rendre : Un jour" not in events(read(Client(), bobs_url))
