"""The public home page, and the static assets every page loads."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from commun.members.models import Application, Cooperative, Member, Repayment

STATIC = Path(__file__).resolve().parents[2] / "static" / "commun"


@pytest.mark.django_db
def test_it_counts_only_active_members_per_category(people, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = people["visitor"].get(reverse("core:home"))
    assert response.status_code == 200
    cards = re.findall(
        r'<li class="card">\s*<h3>(.*?)</h3>.*?<strong>(\d+)</strong>', response.text, re.S
    )
    # Alice (contributors) and Bob (partners) are active; Carol only applied.
    assert dict(cards) == {
        "Responsables et mainteneur·euses": "0",
        "Contributeur·ices": "1",
        "Partenaires et usager·es": "1",
    }
    assert "<strong>2</strong>" in response.text


@pytest.mark.django_db
def test_it_invites_visitors_and_applicants_to_join_but_not_members(people):
    join = reverse("members:join")
    assert f'href="{join}"' in people["visitor"].get("/").text
    assert f'href="{join}"' in people["account"].get("/").text
    assert f'href="{join}"' not in people["member"].get("/").text


@pytest.mark.django_db
def test_it_shows_the_charter_cleaned(people, coop):
    Cooperative.objects.filter(pk=coop.pk).update(
        charter="## Nos valeurs\n\nUne personne, une voix.<script>alert(1)</script>"
    )
    text = people["visitor"].get("/").text
    assert "Une personne, une voix." in text
    assert "<script>alert" not in text


def test_the_stylesheet_loads_nothing_from_another_host():
    css = (STATIC / "commun.css").read_text()
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    assert urls, "the stylesheet is expected to use the local favicon"
    assert all("//" not in url and not url.startswith("data:") for url in urls), urls
    assert "@import" not in css
    assert "@font-face" not in css


def test_the_script_and_the_icon_call_no_other_host():
    script = (STATIC / "commun.js").read_text()
    assert not re.search(r"https?://", script)
    assert "fetch(" not in script and "XMLHttpRequest" not in script
    icon = (STATIC / "favicon.svg").read_text()
    without_namespace = re.sub(r'xmlns(:\w+)?="[^"]*"', "", icon)
    assert not re.search(r"https?://|href=", without_namespace)


@pytest.mark.parametrize(
    "status",
    sorted(
        {value for value, _label in Member.Status.choices}
        | {value for value, _label in Application.Status.choices}
        | {value for value, _label in Repayment.Status.choices}
    ),
)
def test_every_status_has_its_badge_colour(status):
    css = (STATIC / "commun.css").read_text()
    assert re.search(rf"\.badge\.{status}\b", css), f".badge.{status} is not styled"
