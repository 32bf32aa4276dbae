"""The forge, inbound: GitHub, GitLab and Forgejo/Gitea tell the board an issue was closed
or reopened, and the tasks linking to it move (closed → fait, reopened → en cours).

Each forge proves the event is its own with the shared secret (`BOARD_FORGE_SECRET`): an
HMAC-SHA256 of the body (GitHub, Forgejo/Gitea) or the secret itself (GitLab). Forges
retry a delivery they think failed, so each delivery id is recorded once, with what it did,
in the same transaction as the move: a retry changes nothing.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from commun.board.models import ForgeDelivery, Task

MAX_DELIVERY_ID_LENGTH = ForgeDelivery._meta.get_field("delivery_id").max_length
# An issue event weighs a few kilobytes (GitHub's largest, with its repository, about 30):
# a megabyte is room enough, and a larger body is refused before it is read or hashed.
MAX_BODY_BYTES = 1024 * 1024


class Refused(Exception):
    """The request is not a forge's event we can read: answered `status`, nothing written."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Event:
    delivery_id: str
    action: str  # "closed", "reopened", or what else the forge sent (ignored)
    issue_url: str  # "" when the event is not about an issue


def _hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _json(body: bytes) -> dict:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "malformed JSON") from None
    if not isinstance(payload, dict):
        raise Refused(400, "the payload is not a JSON object")
    return payload


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _check_id(delivery: str) -> None:
    if not delivery or len(delivery) > MAX_DELIVERY_ID_LENGTH:
        raise Refused(400, "no usable delivery id")


def _signed_id(body: bytes) -> str:
    """A signed delivery's key: its body's digest. The delivery id header is not signed, so
    a body replayed under a new id (or at the other forge's address, which checks the
    same HMAC) is still the same delivery; a forge's own retry sends the same body."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _github(headers, body: bytes, secret: str) -> Event:
    signature = headers.get("X-Hub-Signature-256", "")
    if not _same(signature, "sha256=" + _hmac_hex(secret, body)):
        raise Refused(401, "bad signature")
    payload = _json(body)
    _check_id(headers.get("X-GitHub-Delivery", ""))
    if headers.get("X-GitHub-Event") != "issues":
        return Event(_signed_id(body), "", "")
    issue = payload.get("issue") if isinstance(payload.get("issue"), dict) else {}
    return Event(_signed_id(body), _text(payload.get("action")), _text(issue.get("html_url")))


def _forgejo(headers, body: bytes, secret: str) -> Event:
    # Forgejo sends both its own headers and Gitea's; Gitea sends only its own.
    signature = headers.get("X-Forgejo-Signature") or headers.get("X-Gitea-Signature", "")
    if not _same(signature, _hmac_hex(secret, body)):
        raise Refused(401, "bad signature")
    payload = _json(body)
    _check_id(headers.get("X-Forgejo-Delivery") or headers.get("X-Gitea-Delivery", ""))
    event = headers.get("X-Forgejo-Event") or headers.get("X-Gitea-Event", "")
    if event != "issues":
        return Event(_signed_id(body), "", "")
    issue = payload.get("issue") if isinstance(payload.get("issue"), dict) else {}
    return Event(_signed_id(body), _text(payload.get("action")), _text(issue.get("html_url")))


GITLAB_ACTIONS = {"close": "closed", "reopen": "reopened"}


def _gitlab(headers, body: bytes, secret: str) -> Event:
    if not _same(headers.get("X-Gitlab-Token", ""), secret):
        raise Refused(401, "bad token")
    payload = _json(body)
    delivery = headers.get("X-Gitlab-Event-UUID") or headers.get("Idempotency-Key", "")
    if headers.get("X-Gitlab-Event") != "Issue Hook":
        return Event(delivery, "", "")
    issue = payload.get("object_attributes")
    issue = issue if isinstance(issue, dict) else {}
    action = _text(issue.get("action"))
    return Event(delivery, GITLAB_ACTIONS.get(action, action), _text(issue.get("url")))


READERS = {"github": _github, "gitlab": _gitlab, "forgejo": _forgejo}


def read(forge: str, headers, body: bytes, secret: str) -> Event:
    """The event in a request, once its signature or token is checked; Refused otherwise."""
    event = READERS[forge](headers, body, secret)
    if not event.delivery_id or len(event.delivery_id) > MAX_DELIVERY_ID_LENGTH:
        raise Refused(400, "no usable delivery id")
    return event


def _linking(url: str) -> list[Task]:
    """The tasks one of whose links is `url` (a trailing slash aside)."""
    url = url.rstrip("/")
    # The text search narrows the rows on every database; the exact match is made here.
    candidates = Task.objects.filter(links__icontains=url).order_by("pk")
    return [t for t in candidates if url in {link.rstrip("/") for link in t.links}]


def receive(forge: str, event: Event) -> tuple[str, list[int]]:
    """Apply `event` once: ("already", []) for a delivery seen before, else what it did
    ("moved", "ignored: …") and the ids of the tasks that moved."""
    with transaction.atomic():
        signed = event.delivery_id.startswith("sha256:")
        if signed and ForgeDelivery.objects.filter(delivery_id=event.delivery_id).exists():
            return "already", []  # the same signed body, at either address
        try:
            # Two copies of one delivery at once: the unique constraint makes the second
            # wait for the first and then fail here, so it moves nothing.
            with transaction.atomic():
                delivery = ForgeDelivery.objects.create(forge=forge, delivery_id=event.delivery_id)
        except IntegrityError:
            return "already", []
        outcome, moved = _apply(event)
        delivery.outcome = (f"{outcome} {' '.join(map(str, moved))}").strip()[:200]
        delivery.save(update_fields=["outcome"])
        return outcome, moved


def _apply(event: Event) -> tuple[str, list[int]]:
    if event.action not in ("closed", "reopened") or not event.issue_url:
        return "ignored: not an issue closed or reopened", []
    tasks = _linking(event.issue_url)
    if not tasks:
        return "ignored: no task links to this issue", []
    move = Task.close_from_forge if event.action == "closed" else Task.reopen_from_forge
    moved = [task.pk for task in tasks if move(task) is not None]
    if not moved:
        return "ignored: no linked task in a state to move", []
    return "moved", moved
