"""Members' answers to what happens elsewhere: an admission decided by consent."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from commun.decisions.signals import decision_closed

ADMISSION = "admission"


@receiver(decision_closed, dispatch_uid="members.admit_or_refuse_by_decision")
def admit_or_refuse_by_decision(sender, decision, **kwargs):
    """Adoption admits the applicant; a withdrawn, lapsed or rejected decision refuses."""
    if decision.subject_kind != ADMISSION:
        return
    from commun.members.models import Application

    application = Application.objects.filter(
        pk=decision.subject_id, status=Application.Status.PENDING
    ).first()
    if application is None:  # withdrawn or decided by the officers meanwhile
        return
    if decision.outcome == decision.Outcome.ADOPTED:
        application.admit(
            by=None,
            authorised_by=_("Décision de consentement n°%(number)s") % {"number": decision.pk},
        )
    else:
        application.refuse(
            decision.outcome_statement.strip()
            or _("La décision d'admission n'a pas été adoptée (%(outcome)s).")
            % {"outcome": decision.get_outcome_display()}
        )
