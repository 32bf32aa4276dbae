"""The English catalogue is complete, and the English pages show no French.

Message ids are French; `commun/locale/en/LC_MESSAGES/django.po` gives the English. The
catalogue is compiled into a temporary folder here, so these tests read the `.po` as it is
now, whatever state the `.mo` that `make messages` builds is in.
"""

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from commun.members.models import Category, College, Member, ShareMovement
from commun.testing.locale import ENGLISH_PO, entries

COMMUN = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\{ *\w+ *\}\}")
ACCENTED_WORD = re.compile(r"[\w·’'-]*[àâçéèêëîïôûùœÀÂÇÉÈÊËÎÏÔÛÙŒ][\w·’'-]*")
# Words of the French interface that no English page may show (case matters: the URLs
# are French, "/rejoindre/", "/registre/", and stay so in English).
FRENCH_WORDS = re.compile(
    r"Rejoindre|Se connecter|Mon espace|Registre|[Aa]ssocié|Enregistrer|\bparts\b|"
    r"\b[Vv]ous\b|\b[Vv]otre\b|\b[Vv]os\b"
)
SHOWN_ATTRIBUTES = re.compile(
    r"\b(?:aria-label|title|placeholder|alt|data-confirm|data-one|data-many|data-close-label"
    r'|data-copied)="([^"]*)"'
)


def problems(path: Path) -> list[str]:
    """Untranslated or fuzzy entries, and translations that lose or invent a placeholder."""
    found = []
    for entry in entries(path):
        msgid = entry["msgid"]
        if msgid == "":
            if "fuzzy" in entry["flags"]:
                found.append("the header is fuzzy")
            continue
        sources = [msgid, entry.get("msgid_plural", msgid)]
        translations = entry["msgstr"]
        if "fuzzy" in entry["flags"]:
            found.append(f"fuzzy: {msgid!r}")
        elif not translations or not all(translations.values()):
            found.append(f"untranslated: {msgid!r}")
        for index, text in translations.items():
            source = sources[min(index, 1)]
            if text and sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                found.append(f"placeholders differ: {msgid!r} -> {text!r}")
    return found


def test_the_english_catalogue_has_no_untranslated_fuzzy_or_broken_entry():
    assert ENGLISH_PO.exists()
    assert len(entries(ENGLISH_PO)) > 100
    assert problems(ENGLISH_PO) == []


def test_the_po_parser_sees_untranslated_fuzzy_and_broken_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        'msgid "Bonjour"\nmsgstr "Hello"\n\n'
        'msgid "Rejoindre"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Registre"\nmsgstr "Register"\n\n'
        '#, python-format\nmsgid "%(n)s part"\nmsgid_plural "%(n)s parts"\n'
        'msgstr[0] "%(n)s share"\nmsgstr[1] ""\n\n'
        'msgid ""\n"Mon "\n"espace"\nmsgstr "My %(space)s"\n\n'
        '#~ msgid "Ancien"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    assert problems(po) == [
        "untranslated: 'Rejoindre'",
        "fuzzy: 'Registre'",
        "untranslated: '%(n)s part'",
        "placeholders differ: 'Mon espace' -> 'My %(space)s'",
    ]


def test_no_other_french_catalogue_rewrites_one_of_our_french_messages():
    """A French message id that is also an English one of Django or allauth ("Close") would
    show their French ("Fermer") on French pages: we have no French catalogue to win."""
    allauth_pages = ("templates/account/", "templates/mfa/", "templates/allauth/")
    rewritten = []
    with translation.override("fr"):
        for entry in entries(ENGLISH_PO):
            files = entry["files"]
            if not entry["msgid"] or files and all(f.startswith(allauth_pages) for f in files):
                continue  # an entry that names no file is ours all the same
            if "msgid_plural" in entry:
                shown = [ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
                expected = [entry["msgid"], entry["msgid_plural"]]
            else:
                shown, expected = gettext(entry["msgid"]), entry["msgid"]
            if shown != expected:
                rewritten.append((expected, shown))
    assert rewritten == []


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="msgfmt missing (apt install gettext)")
def test_msgfmt_accepts_the_english_catalogue():
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(ENGLISH_PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not shutil.which("xgettext"), reason="xgettext missing (apt install gettext)")
def test_every_message_of_the_code_has_its_english(tmp_path, settings, monkeypatch):
    """Extract the messages of a copy of the code and merge them into a copy of the catalogue."""
    copy = tmp_path / "commun"
    shutil.copytree(
        COMMUN,
        copy,
        ignore=shutil.ignore_patterns("tests", "static", "__pycache__", "*.mo", "*.pyc"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)

    missing = problems(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")

    assert missing == [], (
        "Translate these into commun/locale/en/LC_MESSAGES/django.po (from commun/: "
        "django-admin makemessages -l en --ignore=tests --ignore=static --no-obsolete)"
    )


def shown_text(page: str) -> str:
    """What a reader sees or hears: text and labelling attributes, without scripts or markup."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    attributes = " ".join(SHOWN_ATTRIBUTES.findall(page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attributes)


def data_shown(coop) -> list[str]:
    """Text the cooperative wrote itself, longest first.

    Register entries keep the words they were recorded with (in French here), like a paper
    register: their reason and authority are data, not interface.
    """
    texts = [coop.name, *coop.charter.replace("#", " ").splitlines()]
    texts += College.objects.values_list("name", flat=True)
    for name, description in Category.objects.values_list("name", "description"):
        texts += [name, description]
    texts += [member.full_name for member in Member.objects.all()]
    for reason, authority in ShareMovement.objects.values_list("reason", "authorised_by"):
        texts += [reason, authority]
    return sorted({t.strip() for t in texts if t and t.strip()}, key=len, reverse=True)


PAGES = [
    ("visitor", "core:home", "Join the cooperative", "Rejoindre la coopérative"),
    ("visitor", "members:join", "Send my application", "Envoyer ma candidature"),
    ("visitor", "account_login", "No account yet?", "Pas encore de compte ?"),
    ("member", "members:directory", "Search for a member", "Chercher une ou un associé·e"),
    ("member", "members:register", "Register of share movements", "Registre des mouvements"),
    ("member", "members:me", "My share certificate", "Mon certificat de parts"),
    ("member", "deliberation:spaces", "Discussion spaces", "Espaces de discussion"),
    ("member", "decisions:register", "Decision register", "Registre des décisions"),
    ("officer", "officers:dashboard", "Pending applications", "Candidatures en attente"),
    ("officer", "officers:record_movement", "Record a movement", "Enregistrer un mouvement"),
]


@pytest.mark.parametrize(("who", "name", "english_text", "french_text"), PAGES)
def test_the_page_is_all_english_with_the_language_cookie(
    english,
    people,
    coop,
    who,
    name,
    english_text,
    french_text,
):
    client = people[who]
    client.cookies["django_language"] = "en"

    response = client.get(reverse(name))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert english_text in page
    text = shown_text(page)
    for own in [*data_shown(coop), "français"]:
        text = text.replace(own, " ")
    assert FRENCH_WORDS.findall(text) == []
    assert ACCENTED_WORD.findall(text) == []


@pytest.mark.parametrize(("who", "name", "english_text", "french_text"), PAGES)
def test_the_same_page_is_french_by_default(
    english,
    people,
    coop,
    who,
    name,
    english_text,
    french_text,
):
    response = people[who].get(reverse(name))

    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert french_text in html.unescape(page)
    assert english_text not in page
    assert FRENCH_WORDS.search(shown_text(page))
