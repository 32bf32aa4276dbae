"""Only the three necessary cookies, and nothing in emails or pages that calls another host."""

import re
from pathlib import Path

from django.core import mail
from django.urls import reverse

from commun.conftest import PASSWORD

ALLOWED_COOKIES = {"sessionid", "csrftoken", "django_language"}
COMMUN = Path(__file__).resolve().parents[2]
# An address that a mail client or a browser would fetch by itself.
FETCHED = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)


def cookies_set(response) -> set[str]:
    return set(response.cookies.keys())


def test_a_whole_visit_sets_only_the_necessary_cookies(client, bob, alice):
    seen = set()
    for url in ["/", reverse("core:charter"), reverse("members:join"), reverse("account_login")]:
        seen |= cookies_set(client.get(url))
    seen |= cookies_set(
        client.post(reverse("account_login"), {"login": bob.user.email, "password": PASSWORD})
    )
    for url in [reverse("members:me"), reverse("members:directory"), reverse("core:privacy")]:
        seen |= cookies_set(client.get(url))
    seen |= cookies_set(client.post(reverse("set_language"), {"language": "en", "next": "/"}))
    seen |= cookies_set(client.post(reverse("account_logout")))

    assert seen <= ALLOWED_COOKIES, seen - ALLOWED_COOKIES
    assert "sessionid" in seen and "django_language" in seen


def test_the_privacy_page_lists_every_cookie_we_set(client, coop):
    page = client.get(reverse("core:privacy")).content.decode()
    for name in ALLOWED_COOKIES:
        assert f"<code>{name}</code>" in page


def test_no_template_loads_anything_from_another_host():
    offenders = []
    for template in COMMUN.glob("**/templates/**/*"):
        if template.is_file() and template.suffix in {".html", ".txt", ".xml", ".svg"}:
            for line_number, line in enumerate(template.read_text().splitlines(), start=1):
                if FETCHED.search(line):
                    offenders.append(f"{template.relative_to(COMMUN)}:{line_number}")
    assert not offenders, offenders


def test_emails_are_plain_text_without_remote_content(
    carol, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        carol.admit(by=alice.user)  # the admission email, through the tasks worker

    assert mail.outbox, "the admission sends an email"
    for message in mail.outbox:
        assert not getattr(message, "alternatives", None), "no HTML part, nothing to fetch"
        assert not FETCHED.search(message.body) and "<img" not in message.body
