from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentKind(models.TextChoices):
    OT_DISCUSSION = "ot_discussion", _("Discussion of the case in the operational team")
    ENGAGEMENT = "engagement", _("Engagement declaration (minors)")
    PARENTAL = "parental", _("Parental consent")
    SHARING = "sharing", _("Sharing information with named partner organisations")


class GivenBy(models.TextChoices):
    YOUTH = "youth", _("The youth")
    PARENT = "parent", _("Parent or guardian")
