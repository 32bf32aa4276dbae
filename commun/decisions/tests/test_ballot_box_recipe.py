"""The verification recipe of docs/ballot-box.md, run as written against the published box."""

import io
import re
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client

from commun.accounts.models import ApiToken
from commun.conftest import category
from commun.testing.appendonly import tamper
from commun.testing.decisions import many_members, opened

RECIPE = Path(__file__).resolve().parents[3] / "docs" / "ballot-box.md"


@pytest.fixture
def recipe(monkeypatch):
    """The doc's first Python block, its downloads served by the API through a test client."""

    def urlopen(request):
        url = urlsplit(request.full_url)
        answer = Client().get(
            url.path, dict(parse_qsl(url.query)), headers=dict(request.header_items())
        )
        assert answer.status_code == 200, answer.content
        return io.BytesIO(answer.content)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    code = re.search(r"```python\n(.*?)```", RECIPE.read_text(), re.DOTALL).group(1)
    names = {}
    exec(code, names)  # noqa: S102 (our own documentation)
    return names


@pytest.fixture
def vote(alice):
    """Five secret ballots in the cooperative's space (members only: a token reads it)."""
    voters = many_members(5, category("Partenaires"))
    decision = opened(alice, "yes_no", is_secret=True)
    receipts = [
        decision.current_round.cast_secret_ballot(member, choice)
        for member, choice in zip(voters, ["yes", "no", "yes", "abstain", "yes"], strict=True)
    ]
    url = f"http://testserver/api/v1/decisions/{decision.pk}/rounds/1/box"
    _token, secret = ApiToken.issue(alice.user, "vérification", second_factor=True)
    return decision, receipts, url, secret


def test_the_recipe_checks_a_closed_box_and_finds_every_receipt(recipe, vote):
    decision, receipts, url, token = vote
    decision.close(now=decision.closes_at)

    box = recipe["published_box"](url, token)

    assert recipe["check"](box) == 5
    assert box["closed"] and {b["receipt"] for b in box["ballots"]} == set(receipts)


def test_the_recipe_names_the_ballot_changed_behind_the_chains_back(recipe, vote):
    decision, _, url, token = vote
    decision.close(now=decision.closes_at)
    tamper(
        ("UPDATE decisions_ballot SET content = %s WHERE sequence = 3", ['{"choice": "no"}']),
        tables=["decisions_ballot"],
    )

    with pytest.raises(AssertionError, match="^3$"):
        recipe["check"](recipe["published_box"](url, token))


def test_the_recipe_names_where_a_ballot_was_removed(recipe, vote):
    decision, _, url, token = vote
    decision.close(now=decision.closes_at)
    tamper("DELETE FROM decisions_ballot WHERE sequence = 2", tables=["decisions_ballot"])

    with pytest.raises(AssertionError, match="^2$"):
        recipe["check"](recipe["published_box"](url, token))


def test_while_the_vote_runs_the_recipe_checks_the_links(recipe, vote):
    _, _, url, token = vote

    box = recipe["published_box"](url, token)

    assert not box["closed"] and all(b["content"] is None for b in box["ballots"])
    assert recipe["check"](box) == 5
