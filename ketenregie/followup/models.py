from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from ketenregie.common.fields import EncryptedTextField
from ketenregie.common.models import TimestampedModel, UUIDModel
from ketenregie.followup.enums import ContactChannel, ContactWith, DigestFrequency, EventKind
from ketenregie.network.models import NetworkMember

USER = settings.AUTH_USER_MODEL


class FollowUpContact(TimestampedModel):
    """A (weekly) contact of the case director with the youth, trusted person, parent or network."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contacts")
    contact_at = models.DateTimeField(_("date and time"))
    with_whom = models.CharField(_("with whom"), max_length=20, choices=ContactWith.choices)
    network_member = models.ForeignKey(NetworkMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=ContactChannel.choices)
    reached = models.BooleanField(_("reached"), default=True)
    note = EncryptedTextField(_("short note"), blank=True)
    life_domains = models.JSONField(_("life domains touched"), default=list, blank=True)
    positive_development = models.BooleanField(_("positive development"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-contact_at"]
        indexes = [
            models.Index(fields=["case", "with_whom", "contact_at"]),
            # The newest contacts of a case first, with what the signals ask of them (index-only).
            models.Index(fields=["case", "-contact_at", "with_whom", "reached"], name="contact_case_recent_idx"),
        ]


class CaseCadence(models.Model):
    """A case's own follow-up cadence, when it differs from the chain's default (with the reason)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="cadence", primary_key=True)
    days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(90)])
    reason = EncryptedTextField()
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    objects = ScopedManager(chain="case__chain")


class MajorEvent(TimestampedModel):
    """Something major in a case (new offence, arrest, crisis, ...); some kinds flag the case for the OT."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    description = EncryptedTextField(_("description"), blank=True)
    flagged_for_ot = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-occurred_on", "-created_at"]


class SignalAcknowledgement(models.Model):
    """Someone saw a signal and noted what they do; it stays quiet for a while, then returns if the cause persists."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="signal_acknowledgements")
    key = models.CharField(max_length=200, db_index=True)
    note = EncryptedTextField(blank=True)
    acknowledged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()
    quiet_until = models.DateField()

    objects = ScopedManager(chain="case__chain")


class IntervisionSession(TimestampedModel):
    """The weekly team meeting of case directors."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="intervisions")
    held_on = models.DateField(_("date"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(chain="chain")

    class Meta:
        ordering = ["-held_on"]


class IntervisionAdvice(UUIDModel):
    session = models.ForeignKey(IntervisionSession, on_delete=models.CASCADE, related_name="advice")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="intervision_advice")
    advice = EncryptedTextField(_("the team's advice"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedManager(chain="case__chain")


class Notification(models.Model):
    """An in-app notification. It points at an object; what is shown is looked up through the policy."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="notification_preference", primary_key=True
    )
    digest = models.CharField(
        _("e-mail digest"), max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
