from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.cases.models import Case, LegalBasis
from ketenregie.common.fields import EncryptedTextField
from ketenregie.common.models import TimestampedModel, UUIDModel
from ketenregie.meetings.enums import AgreementKept, LocationKind, MeetingKind, MeetingStatus
from ketenregie.network.models import NetworkMember


class NetworkMeeting(TimestampedModel):
    """A network meeting (FIX-overleg) that makes and evaluates the plan. Never without the youth."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="network_meetings")
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.FIX)
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=90, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    location_kind = models.CharField(_("kind of location"), max_length=10, choices=LocationKind.choices)
    location = models.CharField(_("location"), max_length=200)
    agenda = EncryptedTextField(_("agenda"), blank=True)
    legal_basis = models.ForeignKey(
        LegalBasis, on_delete=models.PROTECT, related_name="+", verbose_name=_("legal basis")
    )
    invitees = models.ManyToManyField(NetworkMember, blank=True, related_name="invitations", verbose_name=_("invitees"))
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    youth_attended = models.BooleanField(_("the youth attended"), default=False)
    minutes = EncryptedTextField(_("minutes"), blank=True)
    information_shared = EncryptedTextField(_("which information was shared by whom"), blank=True)
    cooperation = EncryptedTextField(_("evaluation of the cooperation between partners"), blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"


class MeetingAttendance(UUIDModel):
    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(NetworkMember, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    is_youth = models.BooleanField(default=False)
    name = models.CharField(max_length=150)
    is_professional = models.BooleanField(default=False)
    confidentiality_acknowledged_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(chain="meeting__case__chain")


class ActionEvaluation(UUIDModel):
    """At each meeting every open agreement is evaluated: kept? realistic?"""

    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.CASCADE, related_name="action_evaluations")
    action = models.ForeignKey("plans.Action", on_delete=models.PROTECT, related_name="evaluations")
    kept = models.CharField(_("kept?"), max_length=10, choices=AgreementKept.choices)
    realistic = models.BooleanField(_("realistic?"), default=True)
    note = EncryptedTextField(_("note"), blank=True)

    objects = ScopedManager(chain="meeting__case__chain")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "action"], name="actionevaluation_unique")]


class DomainProgress(UUIDModel):
    """A 1–5 progress score per life domain at a meeting, to show progress over time."""

    meeting = models.ForeignKey(NetworkMeeting, on_delete=models.CASCADE, related_name="progress")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="domain_progress")
    domain = models.CharField(_("life domain"), max_length=40)
    score = models.PositiveSmallIntegerField(
        _("progress (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = EncryptedTextField(_("note"), blank=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "domain"], name="domainprogress_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="domainprogress_score_range"),
        ]
