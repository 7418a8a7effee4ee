"""Restriction of processing, legal holds and the record of retention applied to a case."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.cases.models import Case, Consult
from ketenregie.chains.models import Chain
from ketenregie.common.fields import EncryptedTextField
from ketenregie.common.models import TimestampedModel

USER = settings.AUTH_USER_MODEL


class Restriction(TimestampedModel):
    """A case frozen at the youth's request (GDPR art. 18): every write and share is refused.

    At most one restriction of a case is active (``lifted_at`` empty); lifted ones stay as history.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="restrictions")
    reason = EncryptedTextField(_("reason for the restriction"))
    restricted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(_("restricted since"))
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    lift_reason = EncryptedTextField(_("reason for lifting the restriction"), blank=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-since"]
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(lifted_at__isnull=True), name="restriction_one_active_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.since:%Y-%m-%d})"


class LegalHold(TimestampedModel):
    """Keeps a case out of the retention run, e.g. for a court procedure or a complaint."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_holds")
    reason = EncryptedTextField(_("reason for the legal hold"))
    until = models.DateField(_("held until"), null=True, blank=True)
    placed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return f"{self.case_id} ({self.until or '-'})"

    def is_active_on(self, day) -> bool:
        return self.lifted_at is None and (self.until is None or day <= self.until)


class Pseudonymisation(models.Model):
    """The record that retention pseudonymised a case or a consult: when, from which date, how much."""

    id = models.BigAutoField(primary_key=True)
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="pseudonymisation")
    consult = models.OneToOneField(
        Consult, on_delete=models.PROTECT, null=True, blank=True, related_name="pseudonymisation"
    )
    applied_at = models.DateTimeField()
    ended_on = models.DateField()  # the date the retention period was counted from
    retention_years = models.PositiveSmallIntegerField()
    removed = models.JSONField(default=dict, blank=True)  # counts per model, no content

    objects = ScopedManager(chain="chain")

    class Meta:
        verbose_name = _("pseudonymisation")
        verbose_name_plural = _("pseudonymisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False, consult__isnull=True)
                | models.Q(case__isnull=True, consult__isnull=False),
                name="pseudonymisation_case_or_consult",
            )
        ]
