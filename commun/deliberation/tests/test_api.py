"""The deliberation API: the web's rules, through the same model methods, in JSON."""

import pytest
from django.test import Client

from commun.deliberation.models import Space, Subscription, Thread
from commun.members.models import College

JSON = "application/json"


def test_spaces_list_says_where_one_may_write(people, coop):
    spaces = {s["kind"] + ":" + s["name"]: s for s in people["member"].get("/api/v1/spaces").json()}
    assert spaces["cooperative:Toute la coopérative"]["can_post"] is True
    assert spaces["college:Usager·es"]["can_post"] is True
    assert spaces["college:Fondateur·ices"]["can_post"] is False


def test_a_thread_opened_through_the_api(people, bob):
    space = Space.objects.cooperative()
    response = people["member"].post(
        f"/api/v1/spaces/{space.slug}/threads",
        {"title": "Budget", "body": "Parlons-en"},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert body["title"] == "Budget" and body["comment_count"] == 1
    assert body["space"] == space.slug
    listed = people["member"].get(f"/api/v1/spaces/{space.slug}/threads").json()
    assert listed["count"] == 1 and listed["items"][0]["unread_count"] == 0


def test_bad_input_answers_422_with_the_field(people, bob):
    space = Space.objects.cooperative()
    response = people["member"].post(
        f"/api/v1/spaces/{space.slug}/threads", {"title": "  ", "body": "x"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]
    response = people["member"].post(
        f"/api/v1/spaces/{space.slug}/threads",
        {"title": "T", "body": "x", "extra": 1},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert not Thread.objects.exists()


def test_the_thread_with_its_comments_a_page_at_a_time(people, bob, alice):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    for n in range(55):
        thread.post_comment(alice, f"Avis {n}")
    first = people["member"].get(f"/api/v1/threads/{thread.pk}").json()
    assert first["pages"] == 2 and len(first["comments"]) == 50
    assert first["subscribed"] is True and first["can_post"] is True
    second = people["member"].get(f"/api/v1/threads/{thread.pk}?page=2").json()
    assert [c["body"] for c in second["comments"]][-1] == "Avis 54"


def test_following_and_reading_through_the_api(people, bob, alice):
    thread = Space.objects.cooperative().start_thread(alice, "Fil", "Début")
    url = f"/api/v1/threads/{thread.pk}/subscription"
    assert people["member"].put(url).json() == {"subscribed": True}
    thread.post_comment(alice, "Suite")
    assert people["member"].post(f"/api/v1/threads/{thread.pk}/read").status_code == 204
    assert people["member"].get("/api/v1/notifications?unread=true").json()["count"] == 0
    assert people["member"].delete(url).json() == {"subscribed": False}
    assert not Subscription.objects.get(thread=thread, member=bob).is_active


def test_circles_through_the_api(people, bob):
    created = people["member"].post(
        "/api/v1/circles", {"name": "Cuisine", "visibility": "circle"}, content_type=JSON
    )
    assert created.status_code == 201
    circle = created.json()
    assert circle["joined"] is True and circle["member_count"] == 1
    assert people["officer"].get(f"/api/v1/spaces/{circle['space']}").status_code == 404
    assert people["officer"].put(f"/api/v1/circles/{circle['slug']}/membership").json() == {
        "joined": True
    }
    assert people["officer"].get(f"/api/v1/spaces/{circle['space']}").status_code == 200
    listed = {c["slug"]: c for c in people["officer"].get("/api/v1/circles").json()}
    assert listed["cuisine"]["member_count"] == 2
    assert people["officer"].delete("/api/v1/circles/cuisine/membership").json() == {
        "joined": False
    }
    assert people["account"].put("/api/v1/circles/cuisine/membership").status_code == 403
    assert people["visitor"].put("/api/v1/circles/cuisine/membership").status_code == 401
    duplicate = people["member"].post("/api/v1/circles", {"name": "cuisine"}, content_type=JSON)
    assert duplicate.status_code == 422


@pytest.mark.parametrize("role", ["visitor", "account", "member"])
def test_circle_pages_are_open_to_read(people, garden, role):
    assert people[role].get("/cercles/").status_code == 200
    page = people[role].get(garden.get_absolute_url()).content.decode()
    assert "Jardin" in page
    assert ("Rejoindre le cercle" in page) == (role == "member")
    assert ("Frank" in page or "Frankie" in page) == (role == "member")  # names for members only


def test_spaces_follow_colleges(coop, bob):
    college = College.objects.create(name="Salarié·es", position=4)
    space = Space.objects.get(college=college)
    assert space.kind == "college" and space.name == "Salarié·es"
    college.name = "Salarié·es et producteur·ices"
    college.save()
    space.refresh_from_db()
    assert space.name == "Salarié·es et producteur·ices"
    Space.objects.filter(pk=space.pk).delete()
    Space.objects.ensure_all()
    assert Space.objects.filter(college=college).exists()


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "Ce texte n'a pas la forme attendue."),
        ("en", "This text does not have the expected form."),
    ],
)
def test_a_malformed_slug_is_told_in_the_callers_language(db, lang, message):
    response = Client().get(f"/api/v1/spaces/a.b?lang={lang}")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["path", "slug"]
    assert error["msg"] == message
