"""`commun worker`: run the background tasks (emails, reminders) queued in the database."""

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = (
        "Exécute les tâches de fond (e-mails, rappels) mises en file dans la base de données. "
        "Mêmes options que db_worker de django-tasks-db."
    )
