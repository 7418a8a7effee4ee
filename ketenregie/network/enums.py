from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberKind(models.TextChoices):
    FORMAL = "formal", _("Formal (professional)")
    INFORMAL = "informal", _("Informal (family, friends, ...)")


class GroupPosition(models.TextChoices):
    LEADER = "leader", _("Leader / instigator")
    CORE = "core", _("Core member")
    FOLLOWER = "follower", _("Follower")
    PERIPHERAL = "peripheral", _("On the edge")
    UNKNOWN = "unknown", _("Not clear")


class Influence(models.TextChoices):
    HIGH = "high", _("Strong influence on others")
    MEDIUM = "medium", _("Some influence")
    LOW = "low", _("Little influence / influenced by others")
    UNKNOWN = "unknown", _("Not clear")
