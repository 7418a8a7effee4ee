from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactWith(models.TextChoices):
    YOUTH = "youth", _("The youth")
    TRUSTED_PERSON = "trusted_person", _("The trusted person")
    PARENT = "parent", _("A parent or guardian")
    NETWORK_MEMBER = "network_member", _("Someone from the network")


class ContactChannel(models.TextChoices):
    FACE_TO_FACE = "face_to_face", _("Face to face")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    MESSAGE = "message", _("Message")
    VIDEO = "video", _("Video call")


class EventKind(models.TextChoices):
    NEW_OFFENCE = "new_offence", _("New offence")
    ARREST = "arrest", _("Arrest or detention")
    COURT_DECISION = "court_decision", _("Youth court decision")
    CRISIS = "crisis", _("Crisis")
    MOVE = "move", _("Move")
    SCHOOL_DROPOUT = "school_dropout", _("School drop-out")
    OTHER = "other", _("Other")


# Kinds that put the case on the next OT agenda unless the chain configures otherwise.
DEFAULT_OT_EVENT_KINDS = [EventKind.NEW_OFFENCE, EventKind.ARREST, EventKind.COURT_DECISION, EventKind.CRISIS]


class SignalKind(models.TextChoices):
    CONTACT_OVERDUE = "contact_overdue", _("Contact overdue")
    OUT_OF_VIEW = "out_of_view", _("Youth out of view")
    ACTION_OVERDUE = "action_overdue", _("Plan action overdue")
    MEETING_EVALUATION = "meeting_evaluation", _("Meeting to evaluate")
    REFLECTION_WAITING = "reflection_waiting", _("Reflection time over")
    CONSENT_EXPIRING = "consent_expiring", _("Consent expiring")
    CONSENT_EXPIRED = "consent_expired", _("Consent expired")
    TURNS_18 = "turns_18", _("Turns 18 soon")
    TURNED_18 = "turned_18", _("Turned 18: consent to renew")
    AGE_RANGE = "age_range", _("Leaves the age range")
    RECONTACT_DUE = "recontact_due", _("Re-contact date reached")
    NO_PLAN = "no_plan", _("No plan yet")


class DigestFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    OFF = "off", _("Off")
