"""What other apps may listen to, without deliberation importing them.

`comment_written(sender=Comment, comment=…, mentioned=…, replied_to=…, subscribers=…)` is
sent inside the transaction that posts a comment or edits it: `mentioned` is its
`Mentions`, `replied_to` the ids of the members whose comments it answers, `subscribers`
whether the thread's followers hear of it (not for an edit). The notifications app tells
who should hear of it; what it writes commits or rolls back with the comment.
"""

from django.dispatch import Signal

comment_written = Signal()
