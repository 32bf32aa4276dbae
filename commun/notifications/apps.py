from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "commun.notifications"
    label = "notifications"
    verbose_name = _("Messages aux associé·es")

    def ready(self):
        from commun.deliberation.signals import comment_written
        from commun.notifications.comments import tell_about_comment

        comment_written.connect(tell_about_comment, dispatch_uid="notifications_comment_written")
