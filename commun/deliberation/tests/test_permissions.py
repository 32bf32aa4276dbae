"""Who reads and who writes where: each role × each kind of space and visibility.

A space one may not read answers 404 (a visitor is sent to log in first); a space one
reads but may not write in answers 403; the same holds for the API (401 for a visitor).
"""

import pytest

from commun.deliberation.models import Comment, Space, Thread
from commun.members.models import College

ROLES = ["visitor", "account", "applicant", "other_college", "member", "circle_member", "officer"]
OK, LOGIN, HIDDEN, FORBIDDEN = "ok", "login", "hidden", "forbidden"
V, A, P = LOGIN, HIDDEN, HIDDEN  # visitor, account and applicant on a private space

# (space, visibility) → (reading, posting), each for the roles in ROLES order.
# Bob ("member") and Gus are in the users' college; Eve ("other_college"), Frank
# ("circle_member", in the Jardin circle) and Alice ("officer") in the contributors'.
MATRIX = {
    ("cooperative", "public"): (
        [OK, OK, OK, OK, OK, OK, OK],
        [LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK],
    ),
    ("cooperative", "members"): (
        [V, A, P, OK, OK, OK, OK],
        [V, A, P, OK, OK, OK, OK],
    ),
    ("users college", "members"): (
        [V, A, P, OK, OK, OK, OK],
        [V, A, P, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    ("users college", "college"): (
        [V, A, P, HIDDEN, OK, HIDDEN, HIDDEN],
        [V, A, P, HIDDEN, OK, HIDDEN, HIDDEN],
    ),
    ("users college", "public"): (
        [OK, OK, OK, OK, OK, OK, OK],
        [LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
    ),
    ("circle", "members"): (
        [V, A, P, OK, OK, OK, OK],
        [V, A, P, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN],
    ),
    ("circle", "circle"): (
        [V, A, P, HIDDEN, HIDDEN, OK, HIDDEN],
        [V, A, P, HIDDEN, HIDDEN, OK, HIDDEN],
    ),
}


def _space(kind: str, garden) -> Space:
    if kind == "cooperative":
        return Space.objects.cooperative()
    if kind == "circle":
        return garden.space
    return Space.objects.get(college=College.objects.get(name="Usager·es"))


def _thread_in(space: Space, gus, frank, alice) -> Thread:
    opener = {"cooperative": alice, "college": gus, "circle": frank}[space.kind]
    return space.start_thread(opener, "Un fil", "Premier message.")


def _web_outcome(response) -> str:
    if response.status_code == 302:
        return LOGIN if "/compte/login/" in response.url else OK
    return {200: OK, 403: FORBIDDEN, 404: HIDDEN}[response.status_code]


def _api_outcome(response) -> str:
    return {200: OK, 201: OK, 401: LOGIN, 403: FORBIDDEN, 404: HIDDEN}[response.status_code]


CASES = [
    (kind, visibility, role, MATRIX[(kind, visibility)][0][i], MATRIX[(kind, visibility)][1][i])
    for (kind, visibility) in MATRIX
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("kind", "visibility", "role", "reads", "posts"), CASES)
def test_each_role_reads_and_posts_where_it_belongs(
    world, gus, frank, alice, garden, kind, visibility, role, reads, posts
):
    space = _space(kind, garden)
    Space.objects.filter(pk=space.pk).update(visibility=visibility)
    space.refresh_from_db()
    thread = _thread_in(space, gus, frank, alice)
    client = world[role]

    assert _web_outcome(client.get(f"/fils/{thread.pk}/")) == reads
    assert _web_outcome(client.get(f"/espaces/{space.slug}/")) == reads
    assert _web_outcome(client.post(f"/fils/{thread.pk}/commenter/", {"body": "Moi."})) == posts
    assert _web_outcome(client.get(f"/espaces/{space.slug}/nouveau-fil/")) == posts

    # Reading through the API is open to visitors: what they may not read is simply not found.
    api_reads = HIDDEN if reads == LOGIN else reads
    assert _api_outcome(client.get(f"/api/v1/threads/{thread.pk}")) == api_reads
    api_posts = client.post(
        f"/api/v1/threads/{thread.pk}/comments",
        {"body": "Par l'API."},
        content_type="application/json",
    )
    assert _api_outcome(api_posts) == posts
    written = Comment.objects.filter(thread=thread).exclude(body="Premier message.").count()
    assert written == (2 if posts == OK else 0)


@pytest.mark.parametrize("role", ROLES)
def test_the_spaces_list_shows_only_what_one_may_read(world, garden, role):
    Space.objects.filter(pk=garden.space.pk).update(visibility="circle")
    users = Space.objects.get(college__name="Usager·es")
    Space.objects.filter(pk=users.pk).update(visibility="college")
    response = world[role].get("/espaces/")
    assert response.status_code == 200
    listed = {s["slug"] for s in world[role].get("/api/v1/spaces").json()}
    sees_circle = role == "circle_member"
    sees_users = role == "member"
    assert (garden.space.slug in listed) == sees_circle
    assert (users.slug in listed) == sees_users
    assert (garden.space.get_absolute_url() in response.content.decode()) == sees_circle


def test_a_member_who_left_no_longer_reads_members_spaces(world, bob, gus, alice):
    thread = Space.objects.cooperative().start_thread(alice, "Fil", "Texte")
    gus.resign()  # Bob stays: the users' category must not empty
    from commun.conftest import client_for

    assert client_for(gus.user).get(thread.get_absolute_url()).status_code == 404


def test_a_locked_thread_takes_no_more_comments(world, alice, bob):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Texte")
    thread.set_locked(True, by=alice)
    response = world["member"].post(f"/fils/{thread.pk}/commenter/", {"body": "Encore ?"})
    assert response.status_code == 400
    assert "fermé aux commentaires" in response.content.decode()
    assert thread.comments.count() == 1


def test_only_the_author_and_officers_lock_a_thread(world, bob):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Texte")
    assert (
        world["other_college"].post(f"/fils/{thread.pk}/fermer/", {"locked": "1"}).status_code
        == 403
    )
    assert world["officer"].post(f"/fils/{thread.pk}/fermer/", {"locked": "1"}).status_code == 302
    thread.refresh_from_db()
    assert thread.is_locked


def test_only_officers_change_a_spaces_visibility(world, coop_space):
    url = f"/espaces/{coop_space.slug}/visibilite/"
    assert world["member"].post(url, {"visibility": "public"}).status_code == 403
    assert world["officer"].post(url, {"visibility": "public"}).status_code == 302
    coop_space.refresh_from_db()
    assert coop_space.visibility == "public"


def test_a_visibility_that_does_not_fit_the_space_is_refused(world, coop_space):
    world["officer"].post(f"/espaces/{coop_space.slug}/visibilite/", {"visibility": "circle"})
    coop_space.refresh_from_db()
    assert coop_space.visibility == "members"


# Circles ------------------------------------------------------------------------------------


def test_any_member_founds_a_circle_and_is_its_first_member(world, bob):
    response = world["member"].post(
        "/cercles/nouveau/", {"name": "Cuisine", "description": "", "visibility": "circle"}
    )
    assert response.status_code == 302
    space = Space.objects.get(circle__slug="cuisine")
    assert space.visibility == "circle"
    assert space.can_post(bob)


@pytest.mark.parametrize("role", ["account", "applicant"])
def test_someone_who_is_not_a_member_founds_no_circle(world, role):
    response = world[role].post("/cercles/nouveau/", {"name": "Cuisine", "visibility": "members"})
    assert response.status_code == 403


def test_a_circle_name_already_taken_is_refused_clearly(world, garden):
    response = world["member"].post(
        "/cercles/nouveau/", {"name": "jardin", "visibility": "members"}
    )
    assert response.status_code == 400
    assert "Un cercle porte déjà ce nom." in response.content.decode()


def test_members_join_and_leave_a_circle_freely(world, bob, garden):
    url = f"/cercles/{garden.slug}/adhesion/"
    assert world["member"].post(url, {"join": "1"}).status_code == 302
    assert garden.has_member(type(bob).objects.get(pk=bob.pk))
    response = world["member"].post(url, {"join": "0"}, headers={"HX-Request": "true"})
    assert "Rejoindre le cercle" in response.content.decode()
    assert not garden.memberships.filter(member=bob).exists()


def test_joining_a_circle_opens_its_private_space(world, bob, garden):
    Space.objects.filter(pk=garden.space.pk).update(visibility="circle")
    assert world["member"].get(garden.space.get_absolute_url()).status_code == 404
    world["member"].put(f"/api/v1/circles/{garden.slug}/membership")
    assert world["member"].get(garden.space.get_absolute_url()).status_code == 200


def test_a_circle_slug_made_of_digits_does_not_read_as_a_member_number(bob):
    from commun.deliberation.models import Circle

    assert Circle.found("2026", "", by=bob).slug == "cercle-2026"
    assert Circle.found("Nouveau", "", by=bob).slug == "cercle-nouveau"
