from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposedBy(models.TextChoices):
    YOUTH = "youth", _("The youth")
    NETWORK = "network", _("The network")
    CASE_DIRECTOR = "case_director", _("The case director")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped")


OPEN_ACTION_STATUSES = [ActionStatus.PLANNED, ActionStatus.RUNNING]
