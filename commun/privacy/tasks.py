"""Background work of the privacy app, run by `commun worker`."""

from django.tasks import task


@task
def purge_expired_data() -> dict:
    from commun.privacy.retention import purge

    return purge()
