"""Every assembly endpoint × role × the phase it acts on, through the API.

Bob is a member convened (the secretary once it opens, Alice chairing), Zoé a member
admitted after the convocation, Alice an officer, Carol an applicant, Dan an account
without membership. Drafts are the officers' only
(404 for anyone else). A refusal answers JSON and writes nothing.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commun.assemblies import elections
from commun.assemblies.ballots import AdvanceVote, SecretBallot
from commun.assemblies.documents import Document
from commun.assemblies.models import AgendaItem, Assembly, AssemblyRules, Participant, Vote
from commun.assemblies.requests import ItemRequest
from commun.conftest import category, make_member
from commun.testing.api import bearer, call
from commun.testing.assemblies import draft

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "applicant", "account", "member", "latecomer", "officer"]
A = "/assemblies/{assembly_id}"
RULES = {
    "notice_days": 15,
    "requests_deadline_days": 25,
    "quorum_first": "1/5",
    "quorum_second": "0",
    "majority": "1/2",
    "proxies_allowed": True,
    "max_proxies": 2,
    "advance_votes_count": False,
    "weighted_by_college": False,
    "minutes_public": False,
}
ITEM = {"kind": "information", "title": "Rapport de gestion"}
R = A + "/resolutions/{position}"
YES = {"choice": "yes"}
AMENDMENT = {"text": "L'assemblée décide autrement."}
ADMITTED = {"admitted": True}
ELECTION = {"title": "Conseil coopératif", "seats": 2, "method": "majority"}
BLANK = {"candidates": []}
INCIDENT = {"text": "La visioconférence coupe."}
D = A + "/documents/{document_id}"
Q = A + "/item-requests/{request_id}"
YEAR = {"year": 2025}
ASK = {"kind": "information", "title": "Un point"}
NO = {"reason": "Hors sujet."}
PDF = b"%PDF-1.7\n%%EOF\n"

# (method, path, body, the phase the assembly is in, the status for each role above)
MATRIX = [
    ("GET", "/assemblies/rules", None, "convened", (401, 403, 403, 200, 200, 200)),
    ("PUT", "/assemblies/rules/{kind}", RULES, "convened", (401, 403, 403, 403, 403, 200)),
    ("GET", "/assemblies", None, "convened", (401, 403, 403, 200, 200, 200)),
    ("GET", A, None, "draft", (401, 404, 404, 404, 404, 200)),
    ("GET", A, None, "convened", (401, 404, 404, 200, 200, 200)),
    ("POST", "/assemblies", "new", "draft", (401, 403, 403, 403, 403, 201)),
    ("POST", A + "/items", ITEM, "draft", (401, 404, 404, 404, 404, 201)),
    ("POST", A + "/items", ITEM, "convened", (401, 404, 404, 403, 403, 403)),
    ("POST", A + "/convene", None, "draft", (401, 404, 404, 404, 404, 200)),
    ("POST", A + "/convene", None, "convened", (401, 404, 404, 403, 403, 403)),
    ("PUT", A + "/answer", {"mode": "remote"}, "convened", (401, 404, 404, 200, 403, 200)),
    ("PUT", A + "/answer", {"mode": "remote"}, "draft", (401, 404, 404, 404, 404, 403)),
    ("GET", A + "/quorum", None, "convened", (401, 404, 404, 200, 200, 200)),
    # Picking a convened member by name (picker.py): whoever answers, or opens the session.
    ("GET", A + "/convened", None, "convened", (401, 404, 404, 200, 403, 200)),
    ("GET", A + "/convened", None, "open", (401, 404, 404, 403, 403, 403)),
    ("POST", A + "/open", "named", "convened", (401, 404, 404, 403, 403, 200)),
    ("POST", A + "/open", "named", "open", (401, 404, 404, 403, 403, 403)),
    ("POST", A + "/check-in", None, "open", (401, 404, 404, 200, 403, 200)),
    ("POST", A + "/check-in", None, "convened", (401, 404, 404, 403, 403, 403)),
    ("POST", A + "/failure", None, "open", (401, 404, 404, 403, 403, 200)),
    ("POST", A + "/second-convocation", "later", "closed", (401, 404, 404, 403, 403, 201)),
    ("POST", A + "/second-convocation", "later", "open", (401, 404, 404, 403, 403, 403)),
    ("POST", R + "/open", None, "quorate", (401, 404, 404, 403, 403, 200)),
    ("POST", R + "/open", None, "convened", (401, 404, 404, 403, 403, 403)),
    ("POST", R + "/close", None, "voting", (401, 404, 404, 403, 403, 200)),
    ("POST", R + "/close", None, "closed", (401, 404, 404, 403, 403, 403)),
    ("PUT", R + "/vote", YES, "voting", (401, 404, 404, 200, 403, 200)),
    ("PUT", R + "/vote", YES, "quorate", (401, 404, 404, 422, 403, 422)),
    ("PUT", R + "/vote", YES, "closed", (401, 404, 404, 403, 403, 403)),
    ("GET", R + "/result", None, "voting", (401, 404, 404, 200, 200, 200)),
    ("PUT", R + "/advance-vote", YES, "convened", (401, 404, 404, 403, 403, 403)),
    ("PUT", R + "/advance-vote", YES, "open", (401, 404, 404, 403, 403, 403)),
    ("GET", A + "/advance-votes", None, "convened", (401, 404, 404, 200, 200, 200)),
    ("PUT", R + "/advance-ballot", BLANK, "convened", (401, 404, 404, 403, 403, 403)),
    ("PUT", R + "/advance-ballot", BLANK, "open", (401, 404, 404, 403, 403, 403)),
    ("POST", R + "/secret", None, "open", (401, 404, 404, 403, 403, 200)),
    ("POST", R + "/secret", None, "voting", (401, 404, 404, 403, 403, 422)),
    ("POST", R + "/secret", None, "convened", (401, 404, 404, 403, 403, 403)),
    ("POST", R + "/amendments", AMENDMENT, "quorate", (401, 404, 404, 201, 403, 201)),
    ("POST", R + "/amendments", AMENDMENT, "voting", (401, 404, 404, 422, 403, 422)),
    ("POST", R + "/amendments", AMENDMENT, "convened", (401, 404, 404, 403, 403, 403)),
    ("POST", R + "/admission", ADMITTED, "open", (401, 404, 404, 403, 403, 422)),
    ("POST", R + "/admission", ADMITTED, "closed", (401, 404, 404, 403, 403, 403)),
    ("POST", A + "/elections", ELECTION, "draft", (401, 404, 404, 404, 404, 201)),
    ("POST", A + "/elections", ELECTION, "convened", (401, 404, 404, 403, 403, 403)),
    ("POST", R + "/candidates", "candidate", "draft", (401, 404, 404, 404, 404, 422)),
    ("POST", R + "/candidates", "candidate", "convened", (401, 404, 404, 422, 403, 422)),
    ("POST", R + "/candidates", "candidate", "closed", (401, 404, 404, 403, 403, 403)),
    ("PUT", R + "/ballot", BLANK, "voting", (401, 404, 404, 422, 403, 422)),
    ("PUT", R + "/ballot", BLANK, "closed", (401, 404, 404, 403, 403, 403)),
    ("GET", R + "/result", None, "draft", (401, 404, 404, 404, 404, 404)),
    # The published box (box.py): a closed secret vote's only; resolution 1 is public.
    ("GET", R + "/box", None, "closed", (404, 404, 404, 404, 404, 404)),
    # Closing the session, incidents, minutes, register (minutes_api.py).
    ("POST", A + "/close", None, "open", (401, 404, 404, 403, 403, 200)),
    ("POST", A + "/close", None, "closed", (401, 404, 404, 403, 403, 403)),
    ("GET", A + "/incidents", None, "open", (401, 404, 404, 200, 200, 200)),
    ("POST", A + "/incidents", INCIDENT, "open", (401, 404, 404, 201, 403, 201)),
    ("POST", A + "/incidents", INCIDENT, "closed", (401, 404, 404, 403, 403, 403)),
    ("GET", A + "/minutes", None, "closed", (404, 404, 404, 200, 200, 200)),
    ("GET", A + "/minutes", None, "open", (404, 404, 404, 404, 404, 404)),
    ("POST", A + "/minutes/confirm", None, "closed", (401, 404, 404, 200, 403, 200)),
    ("POST", A + "/minutes/confirm", None, "open", (401, 404, 404, 403, 403, 403)),
    ("GET", "/assemblies/register", None, "closed", (200, 200, 200, 200, 200, 200)),
    # Documents sent with the convocation, the convocation as PDF.
    ("GET", A + "/documents", None, "convened", (401, 404, 404, 200, 404, 200)),
    ("GET", A + "/documents", None, "draft", (401, 404, 404, 404, 404, 200)),
    ("POST", A + "/documents", "upload", "draft", (401, 404, 404, 404, 404, 201)),
    ("POST", A + "/documents", "upload", "convened", (401, 404, 404, 403, 403, 201)),
    ("POST", A + "/documents", "upload", "open", (401, 404, 404, 403, 403, 403)),
    ("POST", A + "/documents/accounts", YEAR, "convened", (401, 404, 404, 403, 403, 422)),
    ("GET", D, None, "convened", (401, 404, 404, 200, 404, 200)),
    ("GET", D, None, "draft", (401, 404, 404, 404, 404, 200)),
    ("DELETE", D, None, "convened", (401, 404, 404, 403, 403, 204)),
    ("DELETE", D, None, "open", (401, 404, 404, 403, 403, 403)),
    ("GET", A + "/convocation.pdf", None, "convened", (401, 404, 404, 200, 200, 200)),
    ("GET", A + "/convocation.pdf", None, "draft", (401, 404, 404, 404, 404, 200)),
    # Members ask for an item; the officers answer.
    ("GET", A + "/item-requests", None, "convened", (401, 404, 404, 200, 200, 200)),
    ("POST", A + "/item-requests", ASK, "convened", (401, 404, 404, 201, 403, 201)),
    ("POST", A + "/item-requests", ASK, "open", (401, 404, 404, 403, 403, 403)),
    ("POST", Q + "/accept", None, "convened", (401, 404, 404, 403, 403, 200)),
    ("POST", Q + "/accept", None, "open", (401, 404, 404, 403, 403, 403)),
    ("POST", Q + "/refuse", NO, "convened", (401, 404, 404, 403, 403, 200)),
    ("POST", Q + "/refuse", NO, "open", (401, 404, 404, 403, 403, 403)),
]


@pytest.fixture
def zoe(coop):
    return make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))


@pytest.fixture
def callers(alice, bob, carol, dan, zoe) -> dict[str, Client]:
    return {
        "visitor": Client(),
        "applicant": bearer(carol.user),
        "account": bearer(dan),
        "member": bearer(bob.user),
        "latecomer": bearer(zoe.user),
        "officer": bearer(alice.user),
    }


def in_phase(alice, bob, zoe, phase: str) -> Assembly:
    """A fresh assembly in `phase`; once convened, it is about to start (it may open). Its
    agenda: a resolution, then an election."""
    assembly = draft(alice.user)
    elections.add_election(alice.user, assembly, "Conseil coopératif", 1, "approval")
    if phase != "draft":
        assembly.convene(alice.user)
        Participant.objects.filter(assembly=assembly, member=zoe).delete()
        # About to start, it takes requests for an item until the opening (no deadline).
        Assembly.objects.filter(pk=assembly.pk).update(
            starts_at=timezone.now(), rules={**assembly.rules, "requests_deadline_days": 0}
        )
    if phase in ("open", "quorate", "voting", "closed"):
        Assembly.objects.filter(pk=assembly.pk).update(
            phase="closed" if phase == "closed" else "open",
            opened_at=timezone.now(),
            chair=alice,
            secretary=bob,
            failed=phase == "closed",
        )
    if phase in ("quorate", "voting"):
        assembly.participants.update(checked_in_at=timezone.now())
    if phase == "voting":
        assembly.items.filter(position=1).update(
            status=AgendaItem.Status.OPEN, vote_opened_at=timezone.now()
        )
    return assembly


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def attached(assembly, bob) -> tuple[Document, ItemRequest]:
    """A document on the assembly, and a member's request waiting for an answer."""
    document = Document.objects.create(
        assembly=assembly,
        title="Rapport de gestion",
        file=ContentFile(PDF, name="rapport.pdf"),
        content_type="application/pdf",
        size=len(PDF),
    )
    asked = ItemRequest.objects.create(
        assembly=assembly, member=bob, kind="information", title="Le pique-nique"
    )
    return document, asked


def snapshot():
    return (
        sorted(Assembly.objects.values_list("pk", "phase", "chair")),
        sorted(AgendaItem.objects.values_list("pk", "status", "adopted", "secret")),
        sorted(Vote.objects.values_list("pk", "choice")),
        sorted(AdvanceVote.objects.values_list("pk", "choice")),
        sorted(SecretBallot.objects.values_list("pk", "choice")),
        sorted(Participant.objects.values_list("pk", "mode", "checked_in_at")),
        sorted(AssemblyRules.objects.values_list("kind", "max_proxies")),
        sorted(Document.objects.values_list("pk", flat=True)),
        sorted(ItemRequest.objects.values_list("pk", "status")),
    )


def body_for(body, alice, bob):
    if body == "named":
        return {"chair_number": alice.number, "secretary_number": bob.number}
    if body == "candidate":
        return {"member_number": bob.number}
    if body == "later":
        return {"starts_at": (timezone.now() + datetime.timedelta(days=30)).isoformat()}
    if body == "new":
        starts_at = timezone.now() + datetime.timedelta(days=30)
        return {
            "kind": "ordinary",
            "title": "AG",
            "starts_at": starts_at.isoformat(),
            "place": "Ici",
        }
    return body


@pytest.mark.parametrize(
    ("method", "path", "body", "phase", "expected"),
    [pytest.param(*row, id=f"{row[0]} {row[1]} {row[3]}") for row in MATRIX],
)
def test_permission_matrix(callers, alice, bob, zoe, method, path, body, phase, expected):
    statuses = {}
    for role in ROLES:
        assembly = in_phase(alice, bob, zoe, phase)
        document, asked = attached(assembly, bob)
        before = snapshot()
        url = path.format(
            assembly_id=assembly.pk,
            kind="ordinary",
            position=1,
            document_id=document.pk,
            request_id=asked.pk,
        )
        if body == "upload":
            upload = SimpleUploadedFile("rapport.pdf", PDF)
            response = callers[role].post(f"/api/v1{url}", {"file": upload, "title": "Rapport"})
        else:
            response = call(callers[role], method, url, body_for(body, alice, bob))
        statuses[role] = response.status_code
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), role
            assert response.json()["detail"], role
            assert snapshot() == before, f"{role} changed something"
    assert statuses == dict(zip(ROLES, expected, strict=True))


def test_every_assembly_endpoint_is_in_the_matrix(db):
    document = Client().get("/api/v1/openapi.json").json()
    documented = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "Assemblées générales" in operation.get("tags", [])
    }
    listed = {(method, path) for method, path, *_rest in MATRIX}
    assert documented == listed
