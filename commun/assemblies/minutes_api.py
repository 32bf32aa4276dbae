"""API of the end of an assembly: closing the session, its incidents, the minutes (read,
confirm) and the register of assemblies — the same model methods and permissions as the
pages (`minutes_views.py`).

Its own router, added before the assemblies' one, so that `/assemblies/register` is not
read as an assembly's id.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from commun.api_auth import authenticated, public
from commun.api_helpers import conflict
from commun.assemblies import minutes as minutes_text
from commun.assemblies import rules
from commun.assemblies.api import Id, _assembly, _out
from commun.assemblies.models import Assembly, Minutes
from commun.assemblies.schemas import (
    AssemblyOut,
    IncidentIn,
    IncidentOut,
    MinutesOut,
    RegisterOut,
)

router = Router(tags=["Assemblées générales"])


@router.get("/assemblies/register", auth=public, response=list[RegisterOut])
def register(request):
    """The register of assemblies: those whose minutes are frozen (members; anyone for the
    kinds whose rules publish them)."""
    found = rules.published_minutes(request.auth).select_related("minutes")[:500]
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "title": a.title,
            "starts_at": a.starts_at,
            "frozen_at": a.minutes.frozen_at,
            "sha256": a.minutes.sha256,
        }
        for a in found
    ]


@router.post("/assemblies/{assembly_id}/close", auth=authenticated, response=AssemblyOut)
def close_session(request, assembly_id: int = Id):
    """Close the session once no vote is open (the chair, officers)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "close_session", assembly)
    assembly.close_session(request.user)
    return _out(request, assembly)


@router.get("/assemblies/{assembly_id}/incidents", auth=authenticated, response=list[IncidentOut])
def incidents(request, assembly_id: int = Id):
    """The incidents noted during the session."""
    assembly = _assembly(request, assembly_id)
    return list(assembly.incidents.all())


@router.post("/assemblies/{assembly_id}/incidents", auth=authenticated, response={201: IncidentOut})
def record_incident(request, payload: IncidentIn, assembly_id: int = Id):
    """Note an incident during the session (the chair, the secretary)."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "record_incident", assembly)
    return Status(201, assembly.record_incident(request.user, payload.text))


def _minutes(assembly: Assembly) -> dict:
    record = Minutes.objects.filter(assembly=assembly).first() or Minutes(assembly=assembly)
    return {
        "assembly": assembly.pk,
        "phase": assembly.phase,
        "text": assembly.minutes_text(),
        "frozen": record.frozen_at is not None,
        "sha256": record.sha256,
        "chair_confirmed_at": record.chair_confirmed_at,
        "secretary_confirmed_at": record.secretary_confirmed_at,
        "frozen_at": record.frozen_at,
    }


@router.get("/assemblies/{assembly_id}/minutes", auth=public, response=MinutesOut)
def minutes(request, assembly_id: int = Id):
    """The minutes: a draft once the session is closed, then as frozen (members; anyone when
    the rules publish them)."""
    assembly = get_object_or_404(Assembly, pk=assembly_id)
    if not rules.can_read_minutes(request.auth, assembly):
        raise Http404
    return _minutes(assembly)


@router.post("/assemblies/{assembly_id}/minutes/confirm", auth=authenticated, response=MinutesOut)
def confirm_minutes(request, assembly_id: int = Id):
    """Confirm the minutes as drafted now (the chair, the secretary); frozen once both have
    confirmed the same draft. A draft changed since the first confirmation answers 409: the
    first confirmer confirms it again."""
    assembly = _assembly(request, assembly_id)
    rules.require(request.user, "confirm_minutes", assembly)
    try:
        assembly.confirm_minutes(request.user)
    except minutes_text.DraftChanged as error:
        raise conflict(" ".join(error.messages)) from None
    return _minutes(assembly)
