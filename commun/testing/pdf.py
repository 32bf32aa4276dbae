"""Reading a PDF we made, in tests: the strings it holds, without a PDF library.

WeasyPrint bookmarks every heading (its outline) and titles the document: those strings sit
in the PDF's objects, compressed with zlib. Glyphs of the page text are font-encoded and are
not read here; a test looks for what a heading or the title says.
"""

import re
import zlib

STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_text(document: bytes) -> str:
    """The PDF's objects, its compressed streams inflated, as one text to search."""
    parts = [document]
    for raw in STREAM.findall(document):
        try:
            parts.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return b"\n".join(parts).decode("latin-1")


def holds(document: bytes, words: str) -> bool:
    """Whether a string of the PDF (a bookmark, the title) says `words`, written either as
    plain ASCII or as UTF-16 (how PDF strings carry accents)."""
    text = pdf_text(document)
    utf16 = ("\ufeff" + words).encode("utf-16-be").hex().upper()
    literal = words.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return (words.isascii() and f"({literal}" in text) or utf16 in text.upper()
