from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.common.fields import EncryptedTextField
from ketenregie.common.models import TimestampedModel
from ketenregie.network.models import NetworkMember
from ketenregie.portal.enums import PortalRole, RequestKind

USER = settings.AUTH_USER_MODEL

# A case in one of these statuses has no "Mijn traject" any more.
ENDED_STATUSES = (CaseStatus.CLOSED, CaseStatus.WITHDRAWN, CaseStatus.NOT_INCLUDED)


class PortalAccess(TimestampedModel):
    """An account of the youth (or, with the youth's agreement, the trusted person) for "Mijn traject".

    The account holds no role in any chain: it reaches only /mijn-traject/ (portal.middleware),
    and only this one case. Access ends when it is ended here or the case closes.
    """

    user = models.OneToOneField(USER, on_delete=models.PROTECT, related_name="portal_access")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="portal_accesses")
    role = models.CharField(_("who"), max_length=20, choices=PortalRole.choices)
    network_member = models.ForeignKey(
        NetworkMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("trusted person"),
    )
    youth_agreed_on = models.DateField(_("the youth agreed on"))
    invited_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-invited_at"]
        verbose_name = _("access to “My trajectory”")
        verbose_name_plural = _("accesses to “My trajectory”")

    def __str__(self) -> str:
        return f"{self.get_role_display()} ({self.case})"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Marks the account for the confinement middleware; however the access was made.
        type(self.user).objects.filter(pk=self.user_id, is_portal_account=False).update(is_portal_account=True)
        self.user.is_portal_account = True

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.case.status not in ENDED_STATUSES and self.user.is_active


class PortalRequest(TimestampedModel):
    """Something the youth asked from "Mijn traject" that the case director has to act on (a task)."""

    access = models.ForeignKey(PortalAccess, on_delete=models.PROTECT, related_name="requests")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=RequestKind.choices)
    consent = models.ForeignKey("consent.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = EncryptedTextField(_("in the youth's words"), blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consent"],
                condition=models.Q(handled_at__isnull=True),
                name="portalrequest_one_open_per_consent",
            )
        ]
