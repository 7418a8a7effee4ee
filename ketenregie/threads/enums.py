from django.db import models
from django.utils.translation import gettext_lazy as _


class RevisionKind(models.TextChoices):
    EDIT = "edit", _("Edited")
    DELETE = "delete", _("Deleted")
