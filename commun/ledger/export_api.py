from ninja import Router
from ninja.decorators import decorate_view

from commun.api_auth import public
from commun.core.replica import public_read
from commun.ledger.exports import current_digest

router = Router(tags=["Exports"])


@router.get("/ledger/journal/digest", auth=public, summary="Empreinte signée du journal")
@decorate_view(public_read)
def journal_digest(request):
    """The same signed digest as /comptes/journal/empreinte.json: length, head hash, Ed25519."""
    return current_digest()
