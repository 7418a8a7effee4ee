"""THE access policy. Every query for case data goes through here; deny by default.

``visible_cases(user)`` scopes every list and lookup; the predicates decide object actions. A
case outside a user's scope is answered with 404, exactly like a case that does not exist.
Administrators and strategic coordinators get no case content from any function here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import chain_ids_of, memberships_of, roles_in
from ketenregie.cases.models import Case, Consult, OTAgendaItem, OTAttendance, OTMeeting
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent

# How long after an OT meeting its attendees keep seeing the dossiers that were on its agenda.
OT_MEMBER_ACCESS_DAYS = 30


def _roles_by_chain(user: Any) -> dict[Any, set[str]]:
    by_chain: dict[Any, set[str]] = {}
    for m in memberships_of(user):
        by_chain.setdefault(m.chain_id, set()).add(m.role)
    return by_chain


def valid_consent_filter(kind: str, *, given_by: str | None = None, case_ref: str = "pk") -> Exists:
    """An EXISTS clause: the case has a consent of ``kind`` that is valid today."""
    today = timezone.localdate()
    consents = (
        Consent.objects.with_scopes_disabled()
        .filter(case=OuterRef(case_ref), kind=kind, signed_on__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
    )
    if given_by:
        consents = consents.filter(given_by=given_by)
    return Exists(consents)


def _ot_member_cases(user: Any, chain_id: Any) -> Q:
    since = timezone.now() - timedelta(days=OT_MEMBER_ACCESS_DAYS)
    items = OTAgendaItem.objects.with_scopes_disabled().filter(
        meeting__chain_id=chain_id,
        meeting__starts_at__gte=since,
        meeting__attendances__user=user,
    )
    # The same consents the workflow asks before a case reaches the OT: the youth's, and for a
    # minor also the parents'. When they lapse, the OT members' view of the dossier ends.
    adult_born_before = _eighteen_years_ago(timezone.localdate())
    return (
        Q(chain_id=chain_id, pk__in=items.values("case_id"))
        & Q(valid_consent_filter(ConsentKind.OT_DISCUSSION, given_by=GivenBy.YOUTH))
        & (
            Q(youth__birth_date__lte=adult_born_before)
            | Q(valid_consent_filter(ConsentKind.PARENTAL, given_by=GivenBy.PARENT))
        )
    )


def _eighteen_years_ago(today):
    """The latest birth date of someone who is 18 today (29 February birthdays count from 1 March)."""
    try:
        return today.replace(year=today.year - 18)
    except ValueError:
        return today.replace(year=today.year - 18, day=28)


def visible_cases(user: Any) -> QuerySet[Case]:
    """Every case ``user`` may open. Empty for anonymous users, administrators and strategists."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.with_scopes_disabled().none()
    condition: Q | None = None
    for chain_id, roles in _roles_by_chain(user).items():
        parts = []
        if Role.OPERATIONAL_COORDINATOR in roles:
            parts.append(Q(chain_id=chain_id))
        else:
            if Role.CASE_DIRECTOR in roles:
                parts.append(Q(chain_id=chain_id, case_director=user))
            if Role.OT_MEMBER in roles:
                parts.append(_ot_member_cases(user, chain_id))
        for part in parts:
            condition = part if condition is None else condition | part
    if condition is None:
        return Case.objects.with_scopes_disabled().none()
    return Case.objects.with_scope(chain=chain_ids_of(user)).filter(condition)


def get_visible_case(user: Any, case_id: Any, queryset: QuerySet[Case] | None = None) -> Case:
    """The case, or Http404 whether it does not exist or lies outside the user's scope."""
    qs = queryset if queryset is not None else visible_cases(user)
    try:
        return qs.select_related("youth", "chain", "case_director", "referrer_organisation").get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError):  # malformed ids look missing too
        raise Http404 from None


# --- Predicates --------------------------------------------------------------------------------


def is_coordinator(user: Any, chain_id: Any) -> bool:
    return Role.OPERATIONAL_COORDINATOR in roles_in(user, chain_id)


def is_case_director_of(user: Any, case: Case) -> bool:
    return case.case_director_id == getattr(user, "pk", None) and Role.CASE_DIRECTOR in roles_in(user, case.chain_id)


def can_work_on_case(user: Any, case: Case) -> bool:
    """Edit a case's content (intake, consents, start): its chain's coordinator or its own case director."""
    return is_coordinator(user, case.chain_id) or is_case_director_of(user, case)


def can_view_consents(user: Any, case: Case) -> bool:
    return can_work_on_case(user, case)


def can_view_case_content(user: Any, case: Case) -> bool:
    """The full dossier (intake, offences, consents) — not for OT members, who see the agenda summary."""
    return can_work_on_case(user, case)


# --- Consults and OT ---------------------------------------------------------------------------


def coordinator_chain_ids(user: Any) -> list:
    return [cid for cid, roles in _roles_by_chain(user).items() if Role.OPERATIONAL_COORDINATOR in roles]


def visible_consults(user: Any) -> QuerySet[Consult]:
    chain_ids = coordinator_chain_ids(user)
    if not chain_ids:
        return Consult.objects.with_scopes_disabled().none()
    return Consult.objects.with_scope(chain=chain_ids).all()


def visible_ot_meetings(user: Any) -> QuerySet[OTMeeting]:
    """Coordinators see their chains' OT meetings; OT members the meetings they attend."""
    if not getattr(user, "is_authenticated", False):
        return OTMeeting.objects.with_scopes_disabled().none()
    coordinator_of = coordinator_chain_ids(user)
    ot_chains = [cid for cid, roles in _roles_by_chain(user).items() if Role.OT_MEMBER in roles]
    condition = Q(chain_id__in=coordinator_of)
    if ot_chains:
        attending = OTAttendance.objects.with_scopes_disabled().filter(user=user).values("meeting_id")
        condition |= Q(chain_id__in=ot_chains, pk__in=attending)
    if not coordinator_of and not ot_chains:
        return OTMeeting.objects.with_scopes_disabled().none()
    return OTMeeting.objects.with_scope(chain=chain_ids_of(user)).filter(condition)


def can_manage_ot(user: Any, chain_id: Any) -> bool:
    return is_coordinator(user, chain_id)


def can_see_ot_item_case(user: Any, item: OTAgendaItem) -> bool:
    """An attendee sees an agenda item's dossier summary only under a valid OT-discussion consent."""
    if is_coordinator(user, item.meeting.chain_id):
        return True
    return visible_cases(user).filter(pk=item.case_id).exists()
