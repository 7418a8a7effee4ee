from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.accounts.models import Organisation
from ketenregie.cases.models import Case
from ketenregie.common.fields import EncryptedJSONField, EncryptedTextField
from ketenregie.common.models import TimestampedModel, UUIDModel
from ketenregie.network.models import NetworkMember
from ketenregie.plans.enums import ActionStatus, ProposedBy


class Plan(TimestampedModel):
    """The plan of approach (plan van aanpak) of one case; the youth owns it."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan")
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = ScopedManager(chain="case__chain")


class PlanDomain(UUIDModel):
    """The plan's part for one life domain: situation, strengths first, risks, the GLM needs served."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("life domain"), max_length=40)
    situation = EncryptedTextField(_("situation"), blank=True)
    strengths = EncryptedTextField(_("strengths and protective factors"), blank=True)
    risks = EncryptedTextField(_("risks"), blank=True)
    glm_needs = models.JSONField(_("GLM needs"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(chain="plan__case__chain")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["plan", "domain"], name="plandomain_unique")]


class Goal(UUIDModel):
    plan_domain = models.ForeignKey(PlanDomain, on_delete=models.CASCADE, related_name="goals")
    text = EncryptedTextField(_("goal, in the youth's own words"))
    proposed_by = models.CharField(_("proposed by"), max_length=20, choices=ProposedBy.choices)
    intended_result = EncryptedTextField(_("intended result"), blank=True)
    youth_agreed = models.BooleanField(_("the youth agrees"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(chain="plan_domain__plan__case__chain")

    class Meta:
        ordering = ["position"]


class Action(UUIDModel):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_actions")  # for fast case queries
    what = EncryptedTextField(_("what"))
    responsible_member = models.ForeignKey(
        NetworkMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("responsible (network member)"),
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible (organisation)"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    note = EncryptedTextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    source_meeting = models.ForeignKey(
        "meetings.NetworkMeeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="agreements"
    )

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["case", "status", "due_on"])]


class PlanVersion(models.Model):
    """Every saved plan as an immutable snapshot: who, when, and what changed."""

    id = models.BigAutoField(primary_key=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = EncryptedJSONField()
    changes = models.JSONField(default=list, blank=True)  # paths changed, no content
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    objects = ScopedManager(chain="plan__case__chain")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique")]
