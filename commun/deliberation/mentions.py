"""@mentions in sanitised comment HTML: found and linked outside links and code.

Syntax (see docs): `@123` or `@n123` names the member with that number, `@slug-du-cercle`
names a circle, `@pseudonyme` names the one active member with that single-word pseudonym.
A circle's slug wins over a pseudonym; a pseudonym two members share names nobody.
"""

import re

from django.utils.html import format_html

# \w is Unicode-aware, so French names with accents are handles; an address like
# bob@example.org is not a mention (a word character precedes the @).
HANDLE = re.compile(r"(?<![\w@/&.+-])@(\w(?:[\w.-]*\w)?)")
NUMBER = re.compile(r"n?(\d{1,9})", re.IGNORECASE)
TAG = re.compile(r"(<[^>]*>)")
TAG_NAME = re.compile(r"</?([a-zA-Z0-9]+)")
# Text inside these is quoted or already a link: an @ there names nobody.
SKIPPED = {"a", "code", "pre"}
MAX_HANDLES = 50


def _text_parts(html: str):
    """Split HTML into (part, is_plain_text) where text outside links and code is plain."""
    depth = 0
    for part in TAG.split(html):
        if part.startswith("<"):
            match = TAG_NAME.match(part)
            if match and match.group(1).lower() in SKIPPED and not part.endswith("/>"):
                depth += -1 if part.startswith("</") else 1
                depth = max(depth, 0)
            yield part, False
        else:
            yield part, depth == 0


def handles_in(html: str) -> list[str]:
    """The distinct handles mentioned in `html`, lower-cased, in order, at most MAX_HANDLES."""
    seen: dict[str, None] = {}
    for part, plain in _text_parts(html):
        if plain:
            for match in HANDLE.finditer(part):
                seen.setdefault(match.group(1).lower(), None)
    return list(seen)[:MAX_HANDLES]


def member_number(handle: str) -> int | None:
    match = NUMBER.fullmatch(handle)
    return int(match.group(1)) if match else None


def link(html: str, urls: dict[str, str]) -> str:
    """Turn each resolved handle into a link; unknown handles stay plain text."""

    def replace(match):
        url = urls.get(match.group(1).lower())
        if url is None:
            return match.group(0)
        return format_html('<a class="mention" href="{}">@{}</a>', url, match.group(1))

    return "".join(
        HANDLE.sub(replace, part) if plain else part for part, plain in _text_parts(html)
    )
