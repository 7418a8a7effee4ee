from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    FIX = "fix", _("Network meeting (FIX-overleg)")
    AD_HOC = "ad_hoc", _("Ad-hoc meeting with part of the network")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class LocationKind(models.TextChoices):
    NEUTRAL = "neutral", _("Neutral room")
    HOME = "home", _("At home")
    SCHOOL = "school", _("At school")
    PARTNER = "partner", _("At a partner organisation")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Elsewhere")


class AgreementKept(models.TextChoices):
    YES = "yes", _("Kept")
    PARTLY = "partly", _("Partly kept")
    NO = "no", _("Not kept")
