"""Who hears of a comment, in the app and by email, and never of what they may not read."""

from django.core.management import call_command

from commun.deliberation.models import Notification, NotificationPreference, Space
from commun.notifications.tasks import send_digests


def _notified(member):
    return list(Notification.objects.filter(member=member).values_list("kind", flat=True))


def test_a_mention_notifies_the_mentioned_person_once(bob, alice):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    comment = thread.post_comment(bob, f"@{alice.number} @{alice.number} regarde")
    assert _notified(alice) == ["mention"]
    comment.edit(bob, f"@{alice.number} regarde, vraiment")
    assert _notified(alice) == ["mention"]


def test_an_edit_that_adds_a_mention_notifies_only_the_newcomer(bob, alice, eve):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    comment = thread.post_comment(bob, f"@{alice.number}")
    comment.edit(bob, f"@{alice.number} et @{eve.number}")
    assert _notified(alice) == ["mention"]
    assert _notified(eve) == ["mention"]


def test_a_mention_never_reaches_someone_who_cannot_read_the_space(bob, gus, alice, users_space):
    Space.objects.filter(pk=users_space.pk).update(visibility="college")
    users_space.refresh_from_db()
    thread = users_space.start_thread(bob, "Entre usager·es", f"@{alice.number} et @{gus.number}")
    assert _notified(alice) == []
    assert _notified(gus) == ["mention"]
    assert thread.comments.count() == 1


def test_a_circle_mention_notifies_its_members_who_may_read(bob, frank, eve, garden, users_space):
    garden.join(eve)
    Space.objects.filter(pk=users_space.pk).update(visibility="college")
    users_space.refresh_from_db()
    users_space.start_thread(bob, "Fil", f"Le cercle @{garden.slug} peut-il aider ?")
    assert _notified(frank) == [] and _notified(eve) == []  # neither reads the users' space
    Space.objects.cooperative().start_thread(bob, "Fil", f"Le cercle @{garden.slug} ?")
    assert _notified(frank) == ["mention"] and _notified(eve) == ["mention"]


def test_subscribers_hear_of_new_comments_and_authors_of_replies(bob, alice, eve):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    first = thread.post_comment(alice, "Premier avis")
    thread.post_comment(eve, "Réponse", parent=first)
    assert sorted(_notified(bob)) == ["comment", "comment"]
    assert _notified(alice) == ["reply"]
    assert _notified(eve) == []


def test_a_reply_to_a_reply_reaches_both_authors(bob, alice, eve):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    first = thread.post_comment(alice, "Premier avis")
    reply = thread.post_comment(eve, "Réponse", parent=first)
    answer = thread.post_comment(bob, "Réponse à la réponse", parent=reply)
    assert answer.parent_id == first.pk  # one level of replies
    assert Notification.objects.get(member=eve, comment=answer).kind == "reply"
    assert Notification.objects.get(member=alice, comment=answer).kind == "reply"


def test_unsubscribing_stops_the_notifications_and_outlasts_a_new_comment(people, bob, alice):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    response = people["member"].post(
        f"/fils/{thread.pk}/suivre/", {"subscribed": "0"}, headers={"HX-Request": "true"}
    )
    assert "Suivre ce fil" in response.content.decode()
    thread.post_comment(alice, "Un avis")
    thread.post_comment(bob, "Ma réponse")
    thread.post_comment(alice, "Un autre avis")
    assert _notified(bob) == []


def test_a_member_who_left_a_private_circle_hears_no_more_of_it(bob, frank, garden):
    garden.join(bob)
    Space.objects.filter(pk=garden.space.pk).update(visibility="circle")
    space = Space.objects.get(pk=garden.space.pk)
    thread = space.start_thread(bob, "Fil", "Début")
    thread.post_comment(frank, "Avis")
    assert _notified(bob) == ["comment"]
    garden.leave(bob)
    thread.post_comment(frank, "Autre avis")
    assert _notified(bob) == ["comment"]
    assert Notification.objects.for_member(bob).count() == 0


# Email --------------------------------------------------------------------------------------


def test_immediate_emails_arrive_at_once(
    bob, alice, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.choose(bob, "immediate")
    thread = Space.objects.cooperative().start_thread(bob, "Budget 2027", "Début")
    with django_capture_on_commit_callbacks(execute=True):
        thread.post_comment(alice, "Je propose **plus** pour les communs.")
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["bob@example.org"]
    # Alice hides her name (the default): members see her number, as in the directory.
    assert email.subject == f"Associé·e n°{alice.number} a commenté « Budget 2027 »"
    assert "Je propose **plus** pour les communs." in email.body
    assert "http://testserver/commentaires/" in email.body
    assert Notification.objects.get(member=bob).emailed_at is not None
    assert send_digests.call() == 0


def test_the_daily_digest_sends_one_email_per_member_and_only_once(
    bob, alice, eve, mailoutbox, django_capture_on_commit_callbacks
):
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    with django_capture_on_commit_callbacks(execute=True):
        thread.post_comment(alice, f"Avis, et @{eve.number} ?")
        thread.post_comment(eve, "Le mien")
    assert mailoutbox == []  # the digest is the default
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    assert sorted(m.to[0] for m in mailoutbox) == [
        "alice@example.org",
        "bob@example.org",
        "eve@example.org",
    ]
    to_bob = next(m for m in mailoutbox if m.to == ["bob@example.org"])
    assert to_bob.subject.startswith("2 nouvelles notifications")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests")
    assert len(mailoutbox) == 3


def test_the_digest_skips_what_was_read_or_is_no_longer_readable(
    people, bob, alice, frank, garden, mailoutbox, django_capture_on_commit_callbacks
):
    Space.objects.filter(pk=garden.space.pk).update(visibility="circle")
    garden.join(bob)
    circle_thread = Space.objects.get(pk=garden.space.pk).start_thread(bob, "Secret", "Début")
    read_thread = Space.objects.cooperative().start_thread(bob, "Lu", "Début")
    circle_thread.post_comment(frank, "Avis du cercle")
    read_thread.post_comment(alice, "Avis lu")
    people["member"].get(read_thread.get_absolute_url())
    garden.leave(bob)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests.call() == 0
    assert mailoutbox == []


def test_members_who_chose_no_email_get_none(
    bob, alice, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.choose(bob, "none")
    thread = Space.objects.cooperative().start_thread(bob, "Fil", "Début")
    with django_capture_on_commit_callbacks(execute=True):
        thread.post_comment(alice, "Avis")
        send_digests.call()
    assert mailoutbox == []
    assert Notification.objects.filter(member=bob).count() == 1


def test_tasks_queued_under_their_old_paths_still_run():
    """Tasks queued before the move, and the digest's periodic runs, name deliberation."""
    from django.utils.module_loading import import_string

    from commun.core.schedule import PERIODIC
    from commun.notifications import tasks

    for name in ("send_digests", "send_immediate_notifications"):
        assert import_string(f"commun.deliberation.tasks.{name}") is getattr(tasks, name)
    assert import_string(next(p for p in PERIODIC if p.endswith(".send_digests"))) is (
        tasks.send_digests
    )
