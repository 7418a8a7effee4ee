from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STRATEGIC_COORDINATOR = "strategic_coordinator", _("Strategic coordinator")
    OPERATIONAL_COORDINATOR = "operational_coordinator", _("Operational coordinator")
    CASE_DIRECTOR = "case_director", _("Case director")
    OT_MEMBER = "ot_member", _("OT member")
    PARTNER = "partner", _("Partner")
    REGIONAL_ANALYST = "regional_analyst", _("Regional analyst")


# Roles that act on behalf of a partner organisation and so must name it. A tuple, not a set: the
# order ends up in a migration (Membership's check constraint) and must not change between runs.
ROLES_WITH_ORGANISATION = (Role.PARTNER, Role.OT_MEMBER)


class OrganisationKind(models.TextChoices):
    POLICE = "police", _("Police")
    YOUTH_COURT = "youth_court", _("Youth court / public prosecutor")
    SOCIAL_SERVICES = "social_services", _("Social services (OCMW)")
    CAW = "caw", _("CAW (general welfare work)")
    SCHOOL = "school", _("School / CLB")
    YOUTH_CARE = "youth_care", _("Youth care")
    MENTAL_HEALTH = "mental_health", _("Mental health care")
    YOUTH_WORK = "youth_work", _("Youth work")
    MUNICIPALITY = "municipality", _("Municipality")
    OTHER = "other", _("Other")
