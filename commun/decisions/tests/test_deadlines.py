"""The deadline job: closing what is due, reminding the silent once, review dates."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from commun.conftest import category, make_member
from commun.decisions import tasks
from commun.decisions.models import Decision
from commun.testing.decisions import DAY, in_objection_round, opened

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def eve(coop):
    return make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))


def test_close_due_closes_only_what_is_past_its_deadline(alice, bob):
    due = opened(bob, "yes_no", closes_at=timezone.now() + 2 * DAY)
    later = opened(bob, "yes_no", closes_at=timezone.now() + 5 * DAY)
    due.current_round.take_stance(alice, "yes")
    due.current_round.take_stance(bob, "yes")

    done = Decision.objects.close_due(timezone.now() + 3 * DAY)

    assert done["closed"] == [due]
    assert Decision.objects.get(pk=due.pk).outcome == "adopted"
    assert Decision.objects.get(pk=later.pk).phase == "voting"
    # Running it again closes nothing twice.
    assert Decision.objects.close_due(timezone.now() + 3 * DAY)["closed"] == []


def test_the_silent_are_reminded_once_a_day_before_the_deadline(
    alice, bob, eve, mailoutbox, django_capture_on_commit_callbacks
):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(bob, "consent")
    too_early = decision.closes_at - 2 * DAY
    near = decision.closes_at - 12 * HOUR

    with django_capture_on_commit_callbacks(execute=True):
        assert Decision.objects.remind_silent(too_early) == 0
        assert Decision.objects.remind_silent(near) == 2
        assert Decision.objects.remind_silent(near + HOUR) == 0

    reminded = sorted(m.to[0] for m in mailoutbox if "peu de temps" in m.subject)
    assert reminded == ["alice@example.org", "eve@example.org"]


def test_a_new_round_is_reminded_again(alice, bob):
    from commun.decisions.models import Objection

    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "objection", reason="Non.")
    assert Decision.objects.remind_silent(decision.closes_at - HOUR) == 1  # bob
    Objection.objects.get().begin_integration(bob)
    decision.start_new_round(bob)
    assert Decision.objects.remind_silent(decision.closes_at - HOUR) == 2


def test_the_author_hears_when_the_review_date_comes(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "consent")
    decision.current_round.take_stance(bob, "consent")
    review_on = timezone.localdate() + 30 * DAY
    decision.close(now=decision.opened_at + 2 * DAY, by=bob, review_on=review_on)
    at_review = timezone.make_aware(datetime.datetime.combine(review_on, datetime.time(9)))

    with django_capture_on_commit_callbacks(execute=True):
        assert Decision.objects.remind_reviews(at_review - DAY) == 0
        assert Decision.objects.remind_reviews(at_review) == 1
        assert Decision.objects.remind_reviews(at_review + DAY) == 0

    notices = [m for m in mailoutbox if "révision" in m.subject]
    assert [m.to for m in notices] == [["bob@example.org"]]


def test_the_command_runs_the_deadline_job(alice, bob, capsys):
    decision = opened(bob, "yes_no")
    moment = (decision.closes_at + HOUR).astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M")

    call_command("close_due_decisions", "--now", moment + "+00:00")

    out = capsys.readouterr().out
    assert "Acheter un serveur" in out and "Décisions closes : 1 ;" in out
    assert Decision.objects.get(pk=decision.pk).phase == "closed"


def test_the_command_refuses_a_bad_instant(coop):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Instant invalide"):
        call_command("close_due_decisions", "--now", "demain")


def test_the_task_is_enqueued_and_runs(alice, bob):
    decision = opened(bob, "yes_no", closes_at=timezone.now() + 2 * DAY)
    result = tasks.close_due_decisions.call()
    assert result["closed"] == []
    assert Decision.objects.get(pk=decision.pk).phase == "voting"
    tasks.remind_silent.enqueue()  # the test settings run tasks at once
    tasks.remind_reviews.enqueue()
