def cooperative(request):
    """The cooperative's profile, for the layout of every page (one cached query)."""
    from commun.members.models import Cooperative

    if not hasattr(request, "_cooperative"):
        request._cooperative = Cooperative.get()
    return {"cooperative": request._cooperative}
