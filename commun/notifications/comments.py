"""Who hears of a comment: deliberation says a comment was written, this app tells people.

Connected to `deliberation.signals.comment_written` in `NotificationsConfig.ready`, so it
runs inside the transaction that writes the comment.
"""

from django.db import transaction

from commun.deliberation.models import (
    Notification,
    NotificationPreference,
    Space,
    Subscription,
)

# Member ids per query: a thread followed by thousands would overflow SQLite's parameter limit.
ID_CHUNK = 2000


def tell_about_comment(sender, comment, mentioned, replied_to=(), subscribers=True, **kwargs):
    """Create the notifications a new or edited comment calls for, one per person at most.

    Only people who may read the space are told; the strongest reason wins:
    a mention, then a reply to one's comment, then a followed thread.
    """
    thread = comment.thread
    reasons: dict[int, str] = {}
    if subscribers:
        followers = Subscription.objects.filter(thread=thread, is_active=True)
        for member_id in followers.values_list("member_id", flat=True):
            reasons[member_id] = Notification.Kind.COMMENT
    for member_id in replied_to:
        reasons[member_id] = Notification.Kind.REPLY
    for member_id in mentioned.member_ids():
        reasons[member_id] = Notification.Kind.MENTION
    reasons.pop(comment.author_id, None)
    if not reasons:
        return
    space = Space.objects.get(pk=thread.space_id)
    ids = list(reasons)
    readers, immediate = set(), False
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        readers |= set(space.readers().filter(pk__in=chunk).values_list("pk", flat=True))
    Notification.objects.bulk_create(
        [
            Notification(member_id=member_id, kind=kind, thread=thread, comment=comment)
            for member_id, kind in reasons.items()
            if member_id in readers
        ],
        batch_size=500,
        ignore_conflicts=True,  # told once per comment, even when an edit mentions again
    )
    wanted = sorted(readers)
    for start in range(0, len(wanted), ID_CHUNK):
        immediate = (
            immediate
            or NotificationPreference.objects.filter(
                member_id__in=wanted[start : start + ID_CHUNK],
                email=NotificationPreference.Email.IMMEDIATE,
            ).exists()
        )
    if immediate:
        from commun.notifications import tasks

        comment_id = comment.pk
        transaction.on_commit(lambda: tasks.send_immediate_notifications.enqueue(comment_id))
