"""In-app notifications and the e-mail digest preference.

A notification stores only who, which kind, which case and where to go; its sentence is composed
when it is shown, after the access policy says the case is still visible to the reader. So a
notification never outlives the access it was made under.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.cases.models import Case
from ketenregie.followup.enums import DigestFrequency
from ketenregie.followup.models import IntervisionAdvice, MajorEvent, Notification, NotificationPreference

# Each kind's sentence; %(reference)s and %(youth)s are filled in only for a reader who may see the case.
KINDS: dict[str, Any] = {
    "event_flagged": _("A major event put case %(reference)s (%(youth)s) on the agenda of the next OT meeting."),
    "intervision_advice": _("The team gave advice on case %(reference)s (%(youth)s) at intervision."),
    "break_glass": _("Someone opened case %(reference)s (%(youth)s) with emergency access (break the glass)."),
    "thread_added": _("You were added to a conversation about case %(reference)s (%(youth)s)."),
    "thread_mention": _("You were mentioned in a conversation about case %(reference)s (%(youth)s)."),
    "action_updated": _("A partner updated an action of the plan of case %(reference)s (%(youth)s)."),
    "portal_message": _("A message from “My trajectory” about case %(reference)s (%(youth)s)."),
    "portal_withdrawal": _("The youth of case %(reference)s (%(youth)s) asks to withdraw a consent."),
}


def notify(user: User, kind: str, case: Case | None, url: str) -> Notification:
    """Leave ``user`` a notification of ``kind`` about ``case`` that links to ``url`` (a path of this site)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: add it to followup/domain_notify.py")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("a notification links to a path of this site")
    return Notification.objects.create(user=user, kind=kind, case=case, url=url[:300], created_at=timezone.now())


def case_team(case: Case) -> list[User]:
    """The case's director and the chain's operational coordinators (active accounts with an active role)."""
    # One filter() call: the chain, the role and the active flag must hold for the same membership.
    users = User.objects.filter(
        is_active=True,
        memberships__chain_id=case.chain_id,
        memberships__is_active=True,
        memberships__role=Role.OPERATIONAL_COORDINATOR,
    )
    team = {u.pk: u for u in users.distinct()}
    if case.case_director_id and case.case_director_id not in team:
        director = User.objects.filter(pk=case.case_director_id, is_active=True).first()
        if director is not None:
            team[director.pk] = director
    return list(team.values())


def notify_event_recorded(*, event: MajorEvent, actor: User) -> int:
    """A major event that put the case back on the OT agenda: tell the case director and the coordinators."""
    if not event.flagged_for_ot:
        return 0
    case = event.case
    url = reverse("followup:events", kwargs={"case_id": case.pk})
    recipients = [u for u in case_team(case) if u.pk != actor.pk]
    with transaction.atomic():
        for user in recipients:
            notify(user, "event_flagged", case, url)
    return len(recipients)


def notify_intervision_advice(*, advice: IntervisionAdvice, actor: User) -> int:
    """Advice recorded by someone else on a case: tell its case director."""
    case = advice.case
    if not case.case_director_id or case.case_director_id == actor.pk:
        return 0
    director = User.objects.filter(pk=case.case_director_id, is_active=True).first()
    if director is None:
        return 0
    notify(director, "intervision_advice", case, reverse("cases:case_detail", kwargs={"case_id": case.pk}))
    return 1


def mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark ``user``'s notifications read: those with ``ids``, or all unread ones."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def digest_preference(user: User) -> str:
    pref = NotificationPreference.objects.filter(user=user).values_list("digest", flat=True).first()
    return pref or DigestFrequency.WEEKLY


def set_digest_preference(*, actor: User, digest: str) -> NotificationPreference:
    """How often ``actor`` receives the e-mail digest of their signals (daily, weekly or off)."""
    if digest not in DigestFrequency.values:
        from ketenregie.common.errors import ValidationFailed

        message = str(_("Choose how often."))
        raise ValidationFailed(message, errors=[{"field": "digest", "message": message}])
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.update_or_create(user=actor, defaults={"digest": digest})
        log("account.changed", actor=actor, obj=actor, details={"digest": digest})
    return pref
