"""The bell, the notifications page, the preference and their API; who hears of what is
`commun/notifications/tests/test_comments.py`."""

import pytest

from commun.deliberation.models import Notification, NotificationPreference, Space


def _notified(member):
    return list(Notification.objects.filter(member=member).values_list("kind", flat=True))


def test_the_bell_counts_unread_notifications_and_the_page_marks_them_read(people, bob, alice):
    thread = Space.objects.cooperative().start_thread(alice, "Fil", "Début")
    thread.post_comment(alice, f"@{bob.number} ton avis ?")
    page = people["member"].get("/espaces/").content.decode()
    assert '<a class="bell" href="/notifications/">Notifications <span class="badge">1' in page
    listing = people["member"].get("/notifications/").content.decode()
    assert "vous a mentionné·e dans « Fil »" in listing
    assert Notification.objects.for_member(bob).unread().count() == 0


def test_opening_the_thread_marks_its_notifications_read(people, bob, alice):
    thread = Space.objects.cooperative().start_thread(alice, "Fil", f"@{bob.number} ?")
    assert Notification.objects.filter(member=bob).unread().count() == 1
    people["member"].get(thread.get_absolute_url())
    assert Notification.objects.filter(member=bob).unread().count() == 0


def test_notifications_through_the_api(people, bob, alice):
    thread = Space.objects.cooperative().start_thread(alice, "Fil", f"@{bob.number} ?")
    listed = people["member"].get("/api/v1/notifications?unread=true").json()
    assert listed["count"] == 1
    assert listed["items"][0]["kind"] == "mention"
    assert listed["items"][0]["thread"] == thread.pk
    marked = people["member"].post(
        "/api/v1/notifications/read", {}, content_type="application/json"
    )
    assert marked.json() == {"marked": 1}
    assert people["member"].get("/api/v1/notifications?unread=true").json()["count"] == 0


def test_the_preference_page_saves_the_choice(people, bob):
    assert people["member"].get("/notifications/preferences/").status_code == 200
    response = people["member"].post("/notifications/preferences/", {"email": "immediate"})
    assert response.status_code == 302
    assert NotificationPreference.of(bob).email == "immediate"
    response = people["member"].post("/notifications/preferences/", {"email": "souvent"})
    assert response.status_code == 400
    assert NotificationPreference.of(bob).email == "immediate"


@pytest.mark.parametrize(("role", "status"), [("visitor", 302), ("account", 403), ("member", 200)])
def test_notification_pages_are_for_members(people, role, status):
    assert people[role].get("/notifications/").status_code == status
    assert people[role].get("/notifications/preferences/").status_code == status


def test_the_preference_through_the_api(people, bob):
    response = people["member"].put(
        "/api/v1/notifications/preference", {"email": "jamais"}, content_type="application/json"
    )
    assert response.status_code == 422
    response = people["member"].put(
        "/api/v1/notifications/preference", {"email": "none"}, content_type="application/json"
    )
    assert response.json() == {"email": "none"}
    assert NotificationPreference.of(bob).email == "none"
