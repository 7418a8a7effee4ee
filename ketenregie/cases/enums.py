from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    INTAKE = "intake", _("Intake")
    AWAITING_OT = "awaiting_ot", _("Awaiting OT")
    INCLUDED = "included", _("Included")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    NOT_INCLUDED = "not_included", _("Not included")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = [
    CaseStatus.REGISTERED,
    CaseStatus.INTAKE,
    CaseStatus.AWAITING_OT,
    CaseStatus.INCLUDED,
    CaseStatus.ACTIVE,
]
FINAL_STATUSES = [CaseStatus.CLOSED, CaseStatus.WITHDRAWN]


class ReferrerKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PARENT = "parent", _("Parent or guardian")
    YOUTH = "youth", _("The youth themselves")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    ON_SITE = "on_site", _("On site")
    AT_HOME = "at_home", _("At home")
    ONLINE = "online", _("Online")
    EMAIL = "email", _("E-mail")


class ConsultOutcome(models.TextChoices):
    FITS = "fits", _("Fits the chain")
    DOES_NOT_FIT = "does_not_fit", _("Does not fit (advice given)")
    NEEDS_INFO = "needs_info", _("Needs more information")


class Gender(models.TextChoices):
    FEMALE = "f", _("Girl / woman")
    MALE = "m", _("Boy / man")
    X = "x", _("Other / non-binary")
    UNKNOWN = "u", _("Not known")


class Framework(models.TextChoices):
    VOLUNTARY = "voluntary", _("Voluntary")
    IMPOSED = "imposed", _("Imposed by the youth court")


class ClosureReason(models.TextChoices):
    GOALS_REACHED = "goals_reached", _("Goals reached")
    STOPPED_BY_YOUTH = "stopped_by_youth", _("Stopped by the youth")
    MOVED = "moved", _("Moved away")
    OUT_OF_AGE_RANGE = "out_of_age_range", _("Out of age range")
    FRAMEWORK_ENDED = "framework_ended", _("Imposed framework ended")
    OTHER = "other", _("Other")


# A stop and other major decisions go via the OT first (DESIGN.md "closed").
CLOSURE_REASONS_NEEDING_OT = {ClosureReason.STOPPED_BY_YOUTH, ClosureReason.OTHER}


class GuardianRelation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GUARDIAN = "guardian", _("Guardian")
    FOSTER = "foster", _("Foster parent")
    OTHER = "other", _("Other")


class OTItemKind(models.TextChoices):
    NEW = "new", _("New registration")
    FLAGGED = "flagged", _("Back to the OT")


class OTDecision(models.TextChoices):
    INCLUDE = "include", _("Include")
    NOT_INCLUDE = "not_include", _("Do not include")
    PARK = "park", _("Park until a later meeting")
    CONTINUE = "continue", _("Continue")
    STOP = "stop", _("Stop")
    OTHER = "other", _("Other decision")


NEW_ITEM_DECISIONS = [OTDecision.INCLUDE, OTDecision.NOT_INCLUDE, OTDecision.PARK]
FLAGGED_ITEM_DECISIONS = [OTDecision.CONTINUE, OTDecision.STOP, OTDecision.OTHER, OTDecision.PARK]


class OTMeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


class LegalBasisKind(models.TextChoices):
    DECREE = "decree", _("Decree")
    PROSECUTOR = "prosecutor", _("Reasoned consent of the public prosecutor")
