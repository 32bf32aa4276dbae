"""The stylesheet covers what the discussion and decision pages use; the script keeps focus."""

import re
from pathlib import Path

import pytest

from commun.conftest import PASSWORD
from commun.decisions.models import Decision, Objection
from commun.deliberation.models import Space

STATIC = Path(__file__).resolve().parents[2] / "static" / "commun"
APPS = Path(__file__).resolve().parents[2]
TEMPLATES = [
    *sorted((APPS / "deliberation" / "templates" / "deliberation").glob("*.html")),
    *sorted((APPS / "decisions" / "templates" / "decisions").glob("*.html")),
]
# Classes that only hook scripts or tests, or whose look comes from another class beside them.
UNSTYLED = {"decision", "decision-steps"}
# Classes the views and tags compute: the steps' states, the diff's kinds of line.
COMPUTED = {"done", "current", "todo", "added", "removed", "changed"}


def css() -> str:
    return (STATIC / "commun.css").read_text()


def styled(name: str) -> bool:
    return re.search(rf"\.{re.escape(name)}(?![\w-])", css()) is not None


def template_classes() -> set[str]:
    names = set()
    for template in TEMPLATES:
        for value in re.findall(r'class="([^"]*)"', template.read_text()):
            # Words the template computes ({{ decision.phase }}…) are checked as badges below.
            names |= set(re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", value).split())
    return names


def test_every_class_of_the_discussion_and_decision_pages_is_styled():
    names = (template_classes() | COMPUTED) - UNSTYLED
    missing = sorted(name for name in names if not styled(name))
    assert not missing, f"classes without a style: {missing}"


@pytest.mark.parametrize(
    "status",
    sorted(
        set(Decision.Phase.values) | set(Decision.Outcome.values) | set(Objection.Status.values)
    ),
)
def test_every_decision_phase_outcome_and_objection_status_has_its_badge(status):
    assert re.search(rf"\.badge\.{status}\b", css()), f".badge.{status} is not styled"


@pytest.mark.parametrize("kind", ["added", "removed", "changed"])
def test_a_changed_line_is_marked_in_its_margin_not_by_colour_alone(kind):
    rule = re.search(rf"\.diff-line\.{kind}::before \{{([^}}]*)\}}", css())
    assert rule and "content:" in rule.group(1), f".diff-line.{kind} has no margin sign"


def test_focus_moves_to_the_news_an_htmx_swap_brings(coop, alice, bob, page):
    thread = Space.objects.cooperative().start_thread(alice, "Le budget", "Qu'en dites-vous ?")
    page.goto("/compte/login/")
    page.get_by_label("Courriel").fill(bob.user.email)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(thread.get_absolute_url())
    assert page.evaluate("() => document.activeElement === document.body")

    page.get_by_role("button", name="Suivre ce fil").click()
    page.get_by_role("button", name="Ne plus suivre ce fil").wait_for()
    page.wait_for_function("() => document.activeElement.getAttribute('role') === 'status'")

    assert "notifié·e" in page.evaluate("() => document.activeElement.textContent")
