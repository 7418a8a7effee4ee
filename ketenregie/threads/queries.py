"""Who reads which thread, built on the one access policy (consent/policy.py).

A thread is case content. Those who may read the whole dossier (the chain's coordinators and the
case's own director) read every thread of the case; anyone else reads only the threads they take
part in, and only while the case stays within ``visible_cases`` — so when a partner's consent is
withdrawn, their threads disappear on the next request. The youth's own conversation (a portal
thread) is reached through ketenregie/portal, never through these functions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ketenregie.accounts.models import User
from ketenregie.cases.models import Case
from ketenregie.consent import policy
from ketenregie.network.models import NetworkMember
from ketenregie.threads.models import Thread, ThreadParticipant


def allowed_domains(user: Any, case: Case) -> set[str] | None:
    """The life domains of ``case`` that ``user`` may read; None means all of them (the policy decides)."""
    return policy.allowed_life_domains(user, case)


def may_see_domain(user: Any, case: Case, code: str) -> bool:
    allowed = allowed_domains(user, case)
    return allowed is None or code in allowed


def action_domain(action) -> str:
    return action.goal.plan_domain.domain


def can_read_all_threads(user: Any, case: Case) -> bool:
    return policy.can_view_case_content(user, case)


def is_participant(user: Any, thread: Thread) -> bool:
    uid: Any = getattr(user, "pk", None)
    return ThreadParticipant.objects.filter(thread=thread, user_id=uid).exists()


def may_read(user: Any, thread: Thread) -> bool:
    """Staff access to a thread (the case is ``thread.case``, already fetched through the policy).

    Full-dossier readers read every thread; a partner reads the threads they take part in while
    they share the case (network member under a valid sharing consent), and a thread about an
    action only while its life domain is one they may see.
    """
    if can_read_all_threads(user, thread.case):
        return True
    if thread.is_portal or not is_participant(user, thread):
        return False
    if not policy.is_partner_of(user, thread.case):
        return False
    if thread.action_id is not None and thread.action is not None:
        return may_see_domain(user, thread.case, action_domain(thread.action))
    return True


def may_post(user: Any, thread: Thread) -> bool:
    """Writing is for those who work on the case and for partners taking part; an emergency reader only reads."""
    if policy.can_work_on_case(user, thread.case):
        return True
    return not thread.is_portal and may_read(user, thread) and is_participant(user, thread)


LIST_LIMIT = 100


def threads_of_case(user: Any, case: Case) -> list[Thread]:
    """The threads of a visible ``case`` that ``user`` reads, newest activity first."""
    threads = with_counts(Thread.objects.filter(case=case), user).select_related(
        "action__goal__plan_domain", "meeting", "portal_user", "case"
    )
    if can_read_all_threads(user, case):
        return list(threads[:LIST_LIMIT])
    if not policy.is_partner_of(user, case):
        return []
    allowed = allowed_domains(user, case)
    threads = threads.filter(portal_user__isnull=True, participants__user=user)
    return [t for t in threads[:LIST_LIMIT] if _action_allowed(t, allowed)]


def _action_allowed(thread: Thread, allowed: set[str] | None) -> bool:
    if allowed is None or thread.action_id is None or thread.action is None:
        return True
    return action_domain(thread.action) in allowed


def my_threads(user: Any) -> list[Thread]:
    """The threads ``user`` takes part in and may read now, across the cases the policy shows them."""
    threads = (
        with_counts(Thread.objects.filter(case__in=policy.visible_cases(user), participants__user=user), user)
        .select_related("case", "case__youth", "case__chain", "action__goal__plan_domain", "meeting")
        .order_by("-last_message_at")
    )
    # Per case: (reads every thread, reads as a partner, the partner's life domains).
    access: dict[Any, tuple[bool, bool, set[str] | None]] = {}
    shown = []
    for thread in threads[:LIST_LIMIT]:
        case = thread.case
        if case.pk not in access:
            if can_read_all_threads(user, case):
                access[case.pk] = (True, False, None)
            elif policy.is_partner_of(user, case):
                access[case.pk] = (False, True, allowed_domains(user, case))
            else:
                access[case.pk] = (False, False, set())
        full, partner, allowed = access[case.pk]
        if full or (partner and not thread.is_portal and _action_allowed(thread, allowed)):
            shown.append(thread)
    return shown


def with_counts(threads: QuerySet[Thread], user: Any) -> QuerySet[Thread]:
    """Annotate each thread with its message count and how many messages the user has not read yet."""
    uid: Any = getattr(user, "pk", None)
    last_read = ThreadParticipant.objects.filter(thread=OuterRef("pk"), user_id=uid).values("last_read_at")[:1]
    live = Q(messages__deleted_at__isnull=True)
    unread = (
        live
        & ~Q(messages__author_id=uid)
        & (Q(my_last_read__isnull=True) | Q(messages__created_at__gt=F("my_last_read")))
    )
    return threads.annotate(my_last_read=Subquery(last_read)).annotate(
        message_count=Count("messages", filter=live, distinct=True),
        unread_count=Count("messages", filter=unread, distinct=True),
    )


def eligible_participants(case: Case, *, action=None) -> list[User]:
    """Everyone who may take part in a thread about ``case`` (and ``action``), under the policy today.

    The case director and the chain's coordinators, and every current network member with an
    account for whom the policy shows the case — for a thread about an action, only those who may
    read the action's life domain.
    """
    from ketenregie.followup.domain_notify import case_team

    today = timezone.localdate()
    people: dict[Any, User] = {u.pk: u for u in case_team(case)}
    members = (
        NetworkMember.objects.filter(case=case, user__isnull=False, user__is_active=True)
        .filter(Q(since__isnull=True) | Q(since__lte=today))
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .select_related("user")
    )
    for member in members:
        user = member.user
        if user is None or user.pk in people:
            continue
        if not policy.is_partner_of(user, case):
            continue
        if action is not None and not may_see_domain(user, case, action_domain(action)):
            continue
        people[user.pk] = user
    return sorted(people.values(), key=lambda u: (u.get_full_name() or u.get_username()).lower())


# --- Partner workspace ------------------------------------------------------------------------------


def my_actions(user: Any, *, action_id: Any = None) -> list:
    """Plan actions whose responsible network member is ``user``, across the cases the policy shows them.

    Only current network memberships count, and only actions of life domains the user may read.
    Open actions first, by due date.
    """
    from ketenregie.plans.enums import OPEN_ACTION_STATUSES
    from ketenregie.plans.models import Action

    today = timezone.localdate()
    actions = (
        Action.objects.filter(case__in=policy.visible_cases(user), responsible_member__user=user)
        .filter(Q(responsible_member__until__isnull=True) | Q(responsible_member__until__gte=today))
        .filter(Q(responsible_member__since__isnull=True) | Q(responsible_member__since__lte=today))
        .select_related("case", "case__youth", "case__chain", "case__case_director", "goal__plan_domain")
    )
    if action_id is not None:
        actions = actions.filter(pk=action_id)
    allowed: dict[Any, set[str] | None] = {}
    mine = []
    for action in actions:
        if action.case_id not in allowed:
            allowed[action.case_id] = allowed_domains(user, action.case)
        domains = allowed[action.case_id]
        if domains is None or action.goal.plan_domain.domain in domains:
            mine.append(action)
    far = timezone.localdate().replace(year=9999)
    mine.sort(key=lambda a: (a.status not in OPEN_ACTION_STATUSES, a.due_on or far, a.case.reference))
    return mine


def my_action(user: Any, action_id: Any):
    """One of ``my_actions``, else None (a 404 for the caller)."""
    found = my_actions(user, action_id=action_id)
    return found[0] if found else None


def my_meetings(user: Any) -> QuerySet:
    """Network meetings ``user`` is invited to (as a network member), in cases the policy shows them."""
    from ketenregie.meetings.models import NetworkMeeting

    return (
        NetworkMeeting.objects.filter(case__in=policy.visible_cases(user), invitees__user=user)
        .select_related("case", "case__chain", "case__case_director")
        .distinct()
        .order_by("starts_at")
    )
