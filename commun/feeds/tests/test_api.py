"""The API's channels and the caller's own calendar link, with the pages' permissions."""

from django.test import Client

from commun.feeds.models import CalendarLink
from commun.testing.api import bearer, call


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_the_channels_list_every_feed_and_the_public_calendar(coop):
    response = call(Client(), "GET", "/channels")

    assert response.status_code == 200
    body = response.json()
    assert [feed["slug"] for feed in body["feeds"]] == [
        "besoins",
        "missions",
        "decisions",
        "ecritures",
        "taches",
    ]
    for feed in body["feeds"]:
        assert Client().get(path_of(feed["url"])).status_code == 200
    assert body["calendar"] == "http://testserver/calendrier.ics"


def test_a_member_creates_then_replaces_their_calendar_address(bob):
    client = bearer(bob.user)

    first = call(client, "POST", "/me/calendar")
    second = call(client, "POST", "/me/calendar")

    assert first.status_code == second.status_code == 201
    assert Client().get(path_of(first.json()["url"])).status_code == 404
    assert Client().get(path_of(second.json()["url"])).status_code == 200


def test_a_member_revokes_their_calendar_address(bob):
    client = bearer(bob.user)
    url = call(client, "POST", "/me/calendar").json()["url"]

    assert call(client, "DELETE", "/me/calendar").status_code == 204
    assert Client().get(path_of(url)).status_code == 404
    assert call(client, "DELETE", "/me/calendar").status_code == 204


def test_another_member_revokes_only_their_own(bob, alice):
    url = call(bearer(bob.user), "POST", "/me/calendar").json()["url"]

    call(bearer(alice.user), "DELETE", "/me/calendar")

    assert Client().get(path_of(url)).status_code == 200


def test_the_calendar_address_is_for_members(dan, carol):
    assert call(Client(), "POST", "/me/calendar").status_code == 401
    assert call(bearer(dan), "POST", "/me/calendar").status_code == 403
    assert call(bearer(carol.user), "DELETE", "/me/calendar").status_code == 403
    assert not CalendarLink.objects.exists()


def test_the_endpoints_are_in_the_openapi_document(coop):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert "get" in paths["/api/v1/channels"]
    assert {"post", "delete"} <= set(paths["/api/v1/me/calendar"])
