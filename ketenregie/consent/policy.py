"""THE access policy. Every query for case data goes through here; deny by default.

``visible_cases(user)`` scopes every list and lookup; the predicates decide object actions. A
case outside a user's scope is answered with 404, exactly like a case that does not exist.
Administrators, strategic coordinators and regional analysts get no case content from any
function here (they work with aggregates only).

Who sees which case (DESIGN.md "Roles"):

- operational coordinators: every case of their chain, in full;
- case directors: the cases assigned to them, in full; their colleagues' cases only as the
  intervision summary (``followup.queries.intervision_overview``: counts and kinds, no content);
- OT members: the dossiers on the agenda of an OT meeting they attend (for 30 days after it),
  under the youth's valid OT-discussion consent (and the parents' for a minor): the summary only;
- partners: the cases in whose network they take part (a network member linked to their account,
  membership not ended) while a valid sharing consent of the youth names their organisation, for
  a minor with the parents' consent, for an adult signed as an adult; limited to the consented
  life domains (``allowed_life_domains``) and never offences or sensitive intake answers
  (``visible_fields``); read-only, except the status of the plan actions they are responsible for.
  A closed case stays readable for ``KETENREGIE_PARTNER_GRACE_DAYS`` days after its closure;
- break the glass: a case director or OT member may open a case of their chain outside their
  scope in an emergency, with a written reason, for ``BREAK_GLASS_HOURS`` hours, read-only
  (``consent.domain.break_the_glass``).

Nothing is cached beyond one request (the memberships on the user object): a withdrawn or expired
consent, an ended network membership, a removed role or a closed case counts from the next request.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.http import Http404
from django.utils import timezone

from ketenregie.accounts.enums import OrganisationKind, Role
from ketenregie.accounts.queries import chain_ids_of, memberships_of, roles_in
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, Consult, OTAgendaItem, OTAttendance, OTMeeting
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import BreakGlassAccess, Consent

# How long after an OT meeting its attendees keep seeing the dossiers that were on its agenda.
OT_MEMBER_ACCESS_DAYS = 30

# How long an emergency access (break the glass) lasts, and who may ask for one. Coordinators see
# every case of their chain already; partners, strategists, analysts and administrators never get
# a dossier this way.
BREAK_GLASS_HOURS = 24
BREAK_GLASS_ROLES = (Role.CASE_DIRECTOR, Role.OT_MEMBER)

# Life domains whose content is special-category data (GDPR art. 9: health, substance use). A
# chain marks its own with ``"sensitive": true`` in its life-domain list; without that key these
# codes count as sensitive. Partners see a sensitive domain only when the youth consented to it
# AND their organisation is a care organisation with the need (AC3: "police never health notes").
SENSITIVE_LIFE_DOMAINS = frozenset({"gezondheid", "middelengebruik"})
CARE_ORGANISATION_KINDS = frozenset({OrganisationKind.MENTAL_HEALTH, OrganisationKind.YOUTH_CARE})

# Partners never see a case that did not enter (or left) the chain approach this way.
PARTNER_EXCLUDED_STATUSES = (CaseStatus.NOT_INCLUDED, CaseStatus.WITHDRAWN)

# --- Field groups (AC3) ---------------------------------------------------------------------------
# What of a case a viewer may see, in named groups; templates and API answers show a part only
# when its group is in ``visible_fields(user, case)``.
IDENTITY = "identity"  # reference, status, chain, the youth's name and age, the case director
YOUTH_DETAILS = "youth_details"  # birth date, gender, address, the strong link with the region
REFERRER = "referrer"  # who registered the case (name, organisation)
REFERRER_CONTACT = "referrer_contact"
SUMMARY = "summary"  # the complex multi-problem: what the OT weighs
ELIGIBILITY = "eligibility"  # the criteria at registration and an override's reason
OT_DECISIONS = "ot_decisions"  # the case's OT agenda items and decisions
OFFENCES = "offences"
CONCERNS = "concerns"
GUARDIANS = "guardians"
CONSENTS = "consents"
CASE_NOTES = "case_notes"  # first guideline, advice, trusted person, closing summary, step reasons
TIMELINE = "timeline"
INTAKE = "intake"  # per life domain; partners: allowed, non-sensitive domains only
PLAN = "plan"  # per life domain; partners: allowed domains only
PLAN_VERSIONS = "plan_versions"  # whole snapshots of every domain
NETWORK = "network"  # names, roles and organisations of the network
NETWORK_CONTACT_DETAILS = "network_contact_details"  # phone and e-mail of informal members
NETWORK_NOTES = "network_notes"
OFFENCE_GROUPS = "offence_groups"
CONTACTS = "contacts"  # follow-up contacts; partners: those touching an allowed domain
CONTACT_NOTES = "contact_notes"
EVENTS = "events"  # major events (new offences, arrests, crises)
MEETINGS = "meetings"  # network meetings: their notes cover every domain

FULL_FIELDS = frozenset(
    {
        IDENTITY,
        YOUTH_DETAILS,
        REFERRER,
        REFERRER_CONTACT,
        SUMMARY,
        ELIGIBILITY,
        OT_DECISIONS,
        OFFENCES,
        CONCERNS,
        GUARDIANS,
        CONSENTS,
        CASE_NOTES,
        TIMELINE,
        INTAKE,
        PLAN,
        PLAN_VERSIONS,
        NETWORK,
        NETWORK_CONTACT_DETAILS,
        NETWORK_NOTES,
        OFFENCE_GROUPS,
        CONTACTS,
        CONTACT_NOTES,
        EVENTS,
        MEETINGS,
    }
)
OT_SUMMARY_FIELDS = frozenset({IDENTITY, REFERRER, SUMMARY, ELIGIBILITY, OT_DECISIONS})
PARTNER_FIELDS = frozenset({IDENTITY, INTAKE, PLAN, NETWORK, CONTACTS})


def partner_grace_days() -> int:
    return int(getattr(settings, "KETENREGIE_PARTNER_GRACE_DAYS", 30))


def _roles_by_chain(user: Any) -> dict[Any, set[str]]:
    by_chain: dict[Any, set[str]] = {}
    for m in memberships_of(user):
        by_chain.setdefault(m.chain_id, set()).add(m.role)
    return by_chain


def _partner_organisations(user: Any, chain_id: Any) -> set:
    """The organisations ``user`` acts for as a partner in ``chain_id``."""
    return {
        m.organisation_id
        for m in memberships_of(user)
        if m.chain_id == chain_id and m.role == Role.PARTNER and m.organisation_id
    }


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


def _not_restricted() -> Q:
    """A restricted case (GDPR art. 18) is no longer shared: only who works on it still reads it.

    Coordinators and the case director keep reading it (storage and the youth's own requests go on);
    OT members and partners lose their view at once, until the restriction is lifted. An emergency
    access (break the glass) still opens it: that is the protection of vital interests art. 18(2) allows.
    """
    from ketenregie.privacy.models import Restriction

    restricted = Restriction.objects.with_scopes_disabled().filter(case=OuterRef("pk"), lifted_at__isnull=True)
    return ~Q(Exists(restricted))


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
        & _not_restricted()
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


# --- Partners: network membership and the youth's sharing consent ----------------------------------


def sharing_consents(organisation_ids: Any, *, today: date | None = None) -> QuerySet[Consent]:
    """The sharing consents valid ``today`` that name one of ``organisation_ids`` (L8).

    Given by the youth (12+ are presumed capable), signed, not expired, not withdrawn; for a minor
    only together with the parents' valid consent, as the chain's practice asks before the OT.
    From the 18th birthday on, sharing that rested on the parents' consent stops: only a consent
    the youth signed as an adult counts, until then the partner sees nothing.
    """
    today = today or timezone.localdate()
    adult_born_before = _eighteen_years_ago(today)
    consents = (
        Consent.objects.with_scopes_disabled()
        .filter(kind=ConsentKind.SHARING, given_by=GivenBy.YOUTH, signed_on__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .filter(
            Exists(
                Consent.organisations.through.objects.filter(consent=OuterRef("pk"), organisation__in=organisation_ids)
            )
        )
        .alias(
            years=ExtractYear("signed_on") - ExtractYear("case__youth__birth_date"),
            signed_month=ExtractMonth("signed_on"),
            signed_day=ExtractDay("signed_on"),
            birth_month=ExtractMonth("case__youth__birth_date"),
            birth_day=ExtractDay("case__youth__birth_date"),
        )
    )
    # Signed on or after the 18th birthday (for 29 February: from 1 March in a common year).
    signed_as_adult = (
        Q(years__gt=18)
        | Q(years=18, signed_month__gt=F("birth_month"))
        | Q(years=18, signed_month=F("birth_month"), signed_day__gte=F("birth_day"))
    )
    minor_with_parents = Q(case__youth__birth_date__gt=adult_born_before) & Q(
        valid_consent_filter(ConsentKind.PARENTAL, given_by=GivenBy.PARENT, case_ref="case")
    )
    adult = Q(case__youth__birth_date__lte=adult_born_before) & signed_as_adult
    return consents.filter(minor_with_parents | adult)


def _current_network_memberships(user: Any, chain_id: Any, today: date):
    from ketenregie.network.models import NetworkMember

    return (
        NetworkMember.objects.with_scopes_disabled()
        .filter(user=user, case__chain_id=chain_id)
        .filter(Q(since__isnull=True) | Q(since__lte=today))
        # Ending a membership ends access at once: on its last day (until == today) it is over.
        .filter(Q(until__isnull=True) | Q(until__gt=today))
    )


def _partner_cases(user: Any, chain_id: Any) -> Q | None:
    organisation_ids = _partner_organisations(user, chain_id)
    if not organisation_ids:
        return None
    today = timezone.localdate()
    members = _current_network_memberships(user, chain_id, today)
    consents = sharing_consents(organisation_ids, today=today).filter(case=OuterRef("pk"))
    grace_from = today - timedelta(days=partner_grace_days())
    open_or_in_grace = ~Q(status__in=(*PARTNER_EXCLUDED_STATUSES, CaseStatus.CLOSED)) | Q(
        status=CaseStatus.CLOSED, closed_on__gte=grace_from
    )
    return (
        Q(chain_id=chain_id, pk__in=members.values("case_id"))
        & Q(Exists(consents))
        & open_or_in_grace
        & _not_restricted()
    )


# --- Break the glass --------------------------------------------------------------------------------


def break_glass_chain_ids(user: Any) -> list:
    """The chains where ``user`` may ask for emergency access (and where a grant still counts)."""
    return [cid for cid, roles in _roles_by_chain(user).items() if roles & set(BREAK_GLASS_ROLES)]


def active_break_glass(user: Any) -> QuerySet[BreakGlassAccess]:
    """``user``'s emergency accesses that count now: not expired, and the role that allowed them still held."""
    if not getattr(user, "is_authenticated", False):
        return BreakGlassAccess.objects.with_scopes_disabled().none()
    return BreakGlassAccess.objects.with_scopes_disabled().filter(
        user=user, expires_at__gt=timezone.now(), case__chain_id__in=break_glass_chain_ids(user)
    )


def _break_glass_case_ids(user: Any) -> list:
    """The cases ``user`` holds an emergency access to now, read once per request (kept on the user
    object like the memberships; ``forget_break_glass`` drops it when a grant is made)."""
    grants = getattr(user, "_ketenregie_break_glass", None)
    if grants is None:
        if any(getattr(m, "holds_break_glass", True) for m in memberships_of(user)):
            grants = list(active_break_glass(user).values_list("case_id", "expires_at"))
        else:
            grants = []
        user._ketenregie_break_glass = grants
    now = timezone.now()
    return [case_id for case_id, expires_at in grants if expires_at > now]


def forget_break_glass(user: Any) -> None:
    user.__dict__.pop("_ketenregie_break_glass", None)
    user.__dict__.pop("_ketenregie_memberships", None)


def _break_glass_cases(user: Any) -> Q | None:
    if not break_glass_chain_ids(user):
        return None
    # The ids, not a subquery: "own cases OR id IN (subquery)" makes the database read every case of
    # the chain (no index serves an OR with a subquery), while a list, nearly always empty, keeps
    # the indexes usable.
    granted = _break_glass_case_ids(user)
    return Q(pk__in=granted) if granted else None


def has_break_glass(user: Any, case: Case) -> bool:
    if not (roles_in(user, case.chain_id) & set(BREAK_GLASS_ROLES)):
        return False
    return case.pk in _break_glass_case_ids(user)


def may_break_the_glass(user: Any, case: Case) -> bool:
    """A case director or OT member of the case's chain, for a case they may not read in full now."""
    if not (roles_in(user, case.chain_id) & set(BREAK_GLASS_ROLES)):
        return False
    return not can_view_case_content(user, case)


# --- Scoping ----------------------------------------------------------------------------------------


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
            if Role.PARTNER in roles and (partner := _partner_cases(user, chain_id)) is not None:
                parts.append(partner)
        for part in parts:
            condition = part if condition is None else condition | part
    if (emergency := _break_glass_cases(user)) is not None:
        condition = emergency if condition is None else condition | emergency
    if condition is None:
        return Case.objects.with_scopes_disabled().none()
    return Case.objects.with_scope(chain=chain_ids_of(user)).filter(condition)


def get_visible_case(user: Any, case_id: Any, queryset: QuerySet[Case] | None = None) -> Case:
    """The case, or Http404 whether it does not exist or lies outside the user's scope."""
    qs = queryset if queryset is not None else visible_cases(user)
    if qs.query.deferred_loading[1]:  # unless the queryset names what it loads (only())
        qs = qs.select_related("youth", "chain", "case_director", "referrer_organisation")
    try:
        return qs.get(pk=case_id)
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
    """The full dossier (intake, offences, consents): who works on it, or holds an emergency access.

    Not OT members (the agenda summary) and not partners (their consented share, see
    ``is_partner_of`` and ``allowed_life_domains``).
    """
    return can_work_on_case(user, case) or has_break_glass(user, case)


def is_partner_of(user: Any, case: Case) -> bool:
    """``user`` sees ``case`` as a partner today: network member under a valid sharing consent."""
    if Role.PARTNER not in roles_in(user, case.chain_id):
        return False
    condition = _partner_cases(user, case.chain_id)
    if condition is None:
        return False
    return Case.objects.with_scopes_disabled().filter(pk=case.pk).filter(condition).exists()


def partner_view(user: Any, case: Case) -> bool:
    """The case is shown to ``user`` as a partner's share (not the full dossier, not the OT summary)."""
    return not can_view_case_content(user, case) and is_partner_of(user, case)


def can_view_shared_content(user: Any, case: Case) -> bool:
    """The pages a partner shares (plan, network, contacts): the full dossier, or a partner's share."""
    return can_view_case_content(user, case) or is_partner_of(user, case)


def sensitive_life_domains(chain: Any) -> set[str]:
    return {d["code"] for d in chain.life_domains if d.get("sensitive", d["code"] in SENSITIVE_LIFE_DOMAINS) is True}


def allowed_life_domains(user: Any, case: Case) -> set[str] | None:
    """The life domains of ``case`` whose content ``user`` may see: None means all of them.

    For a partner the union of the domains named by the valid sharing consents that cover their
    organisation, without the sensitive domains unless that organisation is a care organisation.
    An empty consent list of domains shares no domain at all. Others without the full dossier get
    the empty set.
    """
    if can_view_case_content(user, case):
        return None
    if not is_partner_of(user, case):
        return set()
    organisation_ids = _partner_organisations(user, case.chain_id)
    known = {d["code"] for d in case.chain.life_domains}
    sensitive = sensitive_life_domains(case.chain)
    allowed: set[str] = set()
    consents = sharing_consents(organisation_ids).filter(case=case).prefetch_related("organisations")
    for consent in consents:
        covered = [o for o in consent.organisations.all() if o.pk in organisation_ids]
        domains = set(consent.life_domains or []) & known
        if not any(o.kind in CARE_ORGANISATION_KINDS for o in covered):
            domains -= sensitive
        allowed |= domains
    return allowed


def allowed_intake_domains(user: Any, case: Case) -> set[str] | None:
    """The life domains whose intake answers ``user`` may read (None: all); never sensitive ones for partners."""
    allowed = allowed_life_domains(user, case)
    if allowed is None:
        return None
    return allowed - sensitive_life_domains(case.chain)


def visible_fields(user: Any, case: Case) -> frozenset[str]:
    """The field groups of ``case`` that ``user`` may see (AC3), on pages and in API answers.

    The full dossier for who works on the case (or holds an emergency access); the OT summary for
    an OT member; a partner's share (identity, and the consented domains of intake, plan, network
    and contacts) for a partner. Partners never get offences, concerns, guardians, consents, the
    multi-problem summary, notes of contacts and network members, or informal members' contact
    details. Everyone else who sees the case at all gets its identity only.
    """
    if can_view_case_content(user, case):
        return FULL_FIELDS
    if is_partner_of(user, case):
        return PARTNER_FIELDS
    if Role.OT_MEMBER in roles_in(user, case.chain_id):
        return OT_SUMMARY_FIELDS
    return frozenset({IDENTITY})


def can_update_action_status(user: Any, action: Any) -> bool:
    """Who works on the case, or the partner responsible for the action while they share the case.

    The partner's share must still hold (membership, consent) and the action's life domain must be
    one they may see: an ended membership leaves the action with its status as it was.
    """
    case = action.case
    if can_work_on_case(user, case):
        return True
    member = action.responsible_member
    if member is None or member.user_id != getattr(user, "pk", None):
        return False
    allowed = allowed_life_domains(user, case)
    return allowed is not None and action.goal.plan_domain.domain in allowed


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
