"""The assemblies' background work, run by `commun worker`."""

from django.tasks import task


@task
def send_convocations(assembly_id: int) -> int:
    """Email the convocation, with its agenda, to every member convened; returns how many."""
    from commun.assemblies.notifications import send_convocations

    return send_convocations(assembly_id)
