from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.accounts.models import Organisation
from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from ketenregie.common.fields import EncryptedTextField
from ketenregie.common.models import TimestampedModel, UUIDModel
from ketenregie.network.enums import GroupPosition, Influence, MemberKind


class NetworkMember(TimestampedModel):
    """A person or organisation around the youth: formal (professional) or informal (family, friends)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="network")
    kind = models.CharField(_("kind"), max_length=10, choices=MemberKind.choices)
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role or relation"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_memberships",
        verbose_name=_("partner account"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    is_support_figure = models.BooleanField(_("support figure (steunfiguur)"), default=False)
    is_trusted_person = models.BooleanField(_("trusted person (vertrouwenspersoon)"), default=False)
    youth_agreed = models.BooleanField(_("the youth agreed to involve this person"), default=False)
    life_domains = models.JSONField(_("life domains this person works on"), default=list, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("network member")
        verbose_name_plural = _("network members")
        indexes = [models.Index(fields=["user", "until"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"

    def is_current_on(self, day) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)


class OffenceGroup(TimestampedModel):
    """Several youths involved in the same facts (groepsfeit); their cases are linked."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="offence_groups")
    name = models.CharField(_("name of the group or facts"), max_length=150)
    facts_on = models.DateField(_("date of the facts"), null=True, blank=True)
    dynamics = EncryptedTextField(_("group dynamics"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(chain="chain")

    class Meta:
        ordering = ["-facts_on", "name"]

    def __str__(self) -> str:
        return self.name


class OffenceGroupMember(UUIDModel):
    group = models.ForeignKey(OffenceGroup, on_delete=models.CASCADE, related_name="members")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="offence_groups")
    position = models.CharField(
        _("position in the group"), max_length=20, choices=GroupPosition.choices, default=GroupPosition.UNKNOWN
    )
    influence = models.CharField(_("influence"), max_length=20, choices=Influence.choices, default=Influence.UNKNOWN)

    objects = ScopedManager(chain="group__chain")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "case"], name="offencegroupmember_unique")]
