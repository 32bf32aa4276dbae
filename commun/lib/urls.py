"""Addresses that differ only by an id, built from one `reverse()` per page.

`reverse()` costs about 70 µs: a page of 100 cards with three links each spent a fifth of
its time in it (docs/benchmarks.md, the board).
"""

from collections.abc import Callable

from django.urls import reverse

# An id no real row will have soon, marking where the id goes in the reversed address.
MARKER = 4_294_967_291


def address_by_id(name: str, *args) -> Callable[[int], str]:
    """A function of an id giving `reverse(name, args=[id, *args])`, reversed once now.

    Call it per page (or per request), not at import: the address keeps the script prefix
    of the request it is built in, as `reverse()` does."""
    marked = reverse(name, args=[MARKER, *args])
    prefix, _marker, suffix = marked.partition(str(MARKER))
    if str(MARKER) in prefix + suffix:  # an id-like number in the pattern itself
        return lambda pk: reverse(name, args=[pk, *args])
    return lambda pk: f"{prefix}{pk}{suffix}"
