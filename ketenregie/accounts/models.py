import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.enums import ROLES_WITH_ORGANISATION, OrganisationKind, Role
from ketenregie.chains.models import Chain
from ketenregie.common.models import TimestampedModel


class User(AbstractUser):
    """A staff account. Administrators (``is_staff``) configure; they never see case content."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Set once when the account is made for a youth's "Mijn traject" (portal.PortalAccess), never
    # cleared: read with the user on every request, it confines the account without a query of its own.
    is_portal_account = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ci",
                condition=~models.Q(email=""),
                violation_error_message=_("An account with this e-mail address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Organisation(TimestampedModel):
    """A partner organisation (police, youth court, OCMW, CAW, school, ...)."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationKind.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class ChainPartner(TimestampedModel):
    """An organisation's partnership in a chain, and whether it sits in the operational team."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="partners", verbose_name=_("chain"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="chain_partnerships", verbose_name=_("organisation")
    )
    in_operational_team = models.BooleanField(_("member of the operational team"), default=True)
    since = models.DateField(_("since"), default=timezone.localdate)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner organisation of the chain")
        verbose_name_plural = _("partner organisations of the chain")
        constraints = [models.UniqueConstraint(fields=["chain", "organisation"], name="chainpartner_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.chain})"


class Membership(TimestampedModel):
    """One role of one user in one chain. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("account"))
    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("chain"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("role in a chain")
        verbose_name_plural = _("roles in chains")
        constraints = [
            models.UniqueConstraint(fields=["user", "chain", "role"], name="membership_unique_role"),
            models.CheckConstraint(
                condition=~models.Q(role__in=[r.value for r in ROLES_WITH_ORGANISATION])
                | models.Q(organisation__isnull=False),
                name="membership_partner_has_organisation",
                violation_error_message=_("OT members and partners must be linked to an organisation."),
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.chain})"


class PersonalAccessToken(TimestampedModel):
    """A bearer token for the API. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal access token")
        verbose_name_plural = _("personal access tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
