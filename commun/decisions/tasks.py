"""The decisions' background work, run by `commun worker` or `commun close_due_decisions`."""

from django.tasks import task


@task
def close_due_decisions() -> dict:
    """Close what is past its deadline, then send the reminders and review notices due."""
    from commun.decisions.models import Decision

    done = Decision.objects.close_due()
    return {
        "closed": [d.pk for d in done["closed"]],
        "reminded": done["reminded"],
        "reviews": done["reviews"],
    }


@task
def remind_silent() -> int:
    """Remind those who have not spoken, once per round, when a deadline nears."""
    from commun.decisions.models import Decision

    return Decision.objects.remind_silent()


@task
def remind_reviews() -> int:
    """Tell authors that a decision of theirs has reached its review date."""
    from commun.decisions.models import Decision

    return Decision.objects.remind_reviews()
