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


@task
def flag_overdue_advice() -> int:
    """Tell authors and officers of advice decisions left open past their deadline."""
    from commun.decisions.models import Decision

    return Decision.objects.flag_overdue_advice()


@task
def analyse_eligibility() -> None:
    """Refresh PostgreSQL's statistics of the eligibility rows after a large opening
    (`Decision._fix_eligibility`), which the tallies' plans depend on."""
    from django.db import connection

    from commun.decisions.models import Eligibility

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(Eligibility._meta.db_table)}")


@task
def tell_eligible(decision_id: int, round_number: int = 0) -> int:
    """Tell every eligible member that a decision asks for their voice; returns how many were.

    Enqueued when a consent decision or a vote opens (`round_number` 0 for consent, whose
    first round comes later) and when an objection round opens; the notifications app
    writes and emails the notifications.
    """
    from commun.decisions import notifications

    return notifications.eligible(decision_id, round_number)
