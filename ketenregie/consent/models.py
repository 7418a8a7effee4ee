import os
import uuid
from datetime import date

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.accounts.models import Organisation
from ketenregie.cases.models import Case
from ketenregie.common.fields import EncryptedTextField
from ketenregie.common.models import TimestampedModel
from ketenregie.consent.enums import ConsentKind, GivenBy


class PrivateStorage(FileSystemStorage):
    """Documents live under MEDIA_ROOT/private, never served directly, only through a permission check.

    The location follows MEDIA_ROOT at run time (and in tests that change it), instead of being
    frozen into migrations.
    """

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")


def private_storage() -> FileSystemStorage:
    return PrivateStorage()


def _document_path(instance, filename: str) -> str:
    # Random stored name: the original name (which may hold a youth's name) stays in the database only.
    return f"consents/{uuid.uuid4().hex}"


class Consent(TimestampedModel):
    """A signed consent of the youth or a parent, with its scope, validity and withdrawal."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("kind"), max_length=20, choices=ConsentKind.choices)
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices)
    given_by_name = models.CharField(_("name of the person who signed"), max_length=150)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="+", verbose_name=_("organisations"))
    life_domains = models.JSONField(_("life domains"), default=list, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = EncryptedTextField(_("note on the withdrawal"), blank=True)
    document = models.FileField(storage=private_storage, upload_to=_document_path, blank=True)
    document_name = models.CharField(max_length=120, blank=True)
    document_type = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-signed_on", "-created_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return self.get_kind_display()

    def is_valid_on(self, day: date) -> bool:
        if self.withdrawn_on is not None and self.withdrawn_on <= day:
            return False
        if self.signed_on > day:
            return False
        return self.valid_until is None or day <= self.valid_until


class BreakGlassAccess(TimestampedModel):
    """Emergency access ("break the glass") to a case of one's chain outside one's own scope.

    Opened by ``consent.domain.break_the_glass`` with a written reason, after re-authentication; it
    lasts a limited time, gives read access only, is audited with its reason and reported to the
    chain's operational coordinators. ``consent.policy`` reads it on every request, so an expired
    grant, or one whose holder lost the role, opens nothing.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="break_glass_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = EncryptedTextField(_("reason"))
    expires_at = models.DateTimeField(_("ends at"))

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} ({self.expires_at:%Y-%m-%d %H:%M})"
