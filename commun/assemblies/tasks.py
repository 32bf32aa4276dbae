"""The assemblies' background work, run by `commun worker`."""

from django.tasks import task


@task
def send_convocations(assembly_id: int) -> int:
    """Email the convocation, with its agenda, to every member convened; returns how many."""
    from commun.assemblies.notifications import send_convocations

    return send_convocations(assembly_id)


@task
def send_added_item(item_id: int) -> int:
    """Tell every member convened of an item added to the agenda; returns how many."""
    from commun.assemblies.notifications import send_added_item

    return send_added_item(item_id)
