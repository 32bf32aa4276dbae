from ninja import Router

from commun.api_auth import public
from commun.ledger.exports import current_digest

router = Router(tags=["Exports"])


@router.get("/ledger/journal/digest", auth=public, summary="Empreinte signée du journal")
def journal_digest(request):
    """The same signed digest as /comptes/journal/empreinte.json: length, head hash, Ed25519."""
    return current_digest()
