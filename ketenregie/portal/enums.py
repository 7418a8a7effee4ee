from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalRole(models.TextChoices):
    YOUTH = "youth", _("The youth")
    TRUSTED_PERSON = "trusted_person", _("The trusted person (with the youth's agreement)")


class RequestKind(models.TextChoices):
    WITHDRAW_CONSENT = "withdraw_consent", _("Withdraw a consent")
