"""Building the youth's network and linking offence groups. Each operation is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Organisation, User
from ketenregie.accounts.queries import roles_in
from ketenregie.audit.domain import log
from ketenregie.cases.domain import Errors, require_unrestricted, require_work
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.network.enums import GroupPosition, Influence, MemberKind
from ketenregie.network.models import NetworkMember, OffenceGroup, OffenceGroupMember


@dataclass
class MemberData:
    kind: str
    name: str
    role: str
    organisation: Organisation | None = None
    user: User | None = None
    phone: str = ""
    email: str = ""
    is_support_figure: bool = False
    is_trusted_person: bool = False
    youth_agreed: bool = False
    life_domains: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    notes: str = ""


def _validate_member(case: Case, data: MemberData) -> None:
    errors = Errors()
    if data.kind not in MemberKind.values:
        errors.add("kind", _("Choose formal (professional) or informal."))
    if not data.name.strip():
        errors.add("name", _("Give the name."))
    if not data.role.strip():
        errors.add("role", _("Give the role or relation, e.g. GP, teacher, mother, football coach."))
    if data.kind == MemberKind.FORMAL and data.organisation is None:
        errors.add("organisation", _("A professional belongs to an organisation: choose it."))
    if data.kind == MemberKind.INFORMAL and (data.organisation is not None or data.user is not None):
        errors.add("kind", _("Informal network members have no organisation or account."))
    if data.user is not None:
        memberships = data.user.memberships.filter(chain=case.chain, role=Role.PARTNER, is_active=True)
        if not memberships.exists():
            errors.add("user", _("This account is not a partner of the chain."))
        elif data.organisation is not None and not memberships.filter(organisation=data.organisation).exists():
            errors.add("user", _("This account belongs to another organisation."))
    known = {d["code"] for d in case.chain.life_domains}
    if any(code not in known for code in data.life_domains):
        errors.add("life_domains", _("Unknown life domain."))
    if data.since and data.until and data.until < data.since:
        errors.add("until", _("The end date lies before the start date."))
    if data.is_trusted_person and data.kind != MemberKind.INFORMAL and not data.youth_agreed:
        errors.add("is_trusted_person", _("The youth chooses their trusted person: record that the youth agreed."))
    if data.is_trusted_person and not data.youth_agreed:
        errors.add("youth_agreed", _("The youth chooses their trusted person: record that the youth agreed."))
    errors.raise_if_any()


def _apply(member: NetworkMember, data: MemberData) -> None:
    member.kind, member.name, member.role = data.kind, data.name.strip(), data.role.strip()
    member.organisation, member.user = data.organisation, data.user
    member.phone, member.email = data.phone.strip(), data.email.strip()
    member.is_support_figure, member.is_trusted_person = data.is_support_figure, data.is_trusted_person
    member.youth_agreed, member.life_domains = data.youth_agreed, list(dict.fromkeys(data.life_domains))
    member.since, member.until, member.notes = data.since, data.until, data.notes.strip()


def _sync_trusted_person(case: Case, member: NetworkMember) -> None:
    """There is one trusted person at a time; the case shows who it is."""
    if not member.is_trusted_person:
        return
    NetworkMember.objects.with_scope(chain=case.chain_id).filter(case=case, is_trusted_person=True).exclude(
        pk=member.pk
    ).update(is_trusted_person=False)
    Case.objects.with_scope(chain=case.chain_id).filter(pk=case.pk).update(
        trusted_person_name=member.name, trusted_person_contact=member.phone or member.email
    )


def add_network_member(*, actor: User, case: Case, data: MemberData) -> NetworkMember:
    require_work(actor, case)
    _validate_member(case, data)
    with transaction.atomic():
        member = NetworkMember(case=case)
        _apply(member, data)
        member.since = member.since or timezone.localdate()
        member.save()
        _sync_trusted_person(case, member)
        log(
            "network.member_added",
            actor=actor,
            obj=member,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"kind": data.kind, "support_figure": data.is_support_figure},
        )
    return member


def update_network_member(*, actor: User, member: NetworkMember, data: MemberData) -> NetworkMember:
    case = member.case
    require_work(actor, case)
    _validate_member(case, data)
    if data.until is not None and data.until <= timezone.localdate() and member.until != data.until:
        from ketenregie.plans.enums import OPEN_ACTION_STATUSES
        from ketenregie.plans.models import Action

        # An end date set through an edit follows the same rule as ending: open actions never orphaned.
        if (
            Action.objects.with_scope(chain=case.chain_id)
            .filter(responsible_member=member, status__in=OPEN_ACTION_STATUSES)
            .exists()
        ):
            raise GuardFailed(
                _("%(name)s is still responsible for open actions. Use “End membership” to hand them over.")
                % {"name": member.name},
                errors=[{"field": "until", "message": _("Hand over the open actions first: use “End membership”.")}],
            )
    was_trusted = member.is_trusted_person
    with transaction.atomic():
        _apply(member, data)
        member.save()
        _sync_trusted_person(case, member)
        if was_trusted and not member.is_trusted_person:
            Case.objects.with_scope(chain=case.chain_id).filter(pk=case.pk).update(
                trusted_person_name="", trusted_person_contact=""
            )
        log("network.member_changed", actor=actor, obj=member, chain_id=case.chain_id, case_id=case.pk)
    return member


def end_network_member(
    *, actor: User, member: NetworkMember, on: date | None = None, reassign_to: NetworkMember | None = None
) -> NetworkMember:
    """End someone's part in the network. Open actions are reassigned, never orphaned."""
    from ketenregie.plans.enums import OPEN_ACTION_STATUSES
    from ketenregie.plans.models import Action

    case = member.case
    require_work(actor, case)
    on = on or timezone.localdate()
    open_actions = Action.objects.with_scope(chain=case.chain_id).filter(
        responsible_member=member, status__in=OPEN_ACTION_STATUSES
    )
    if reassign_to is not None and (
        reassign_to.case_id != case.pk or reassign_to.pk == member.pk or not reassign_to.is_current_on(on)
    ):
        raise ValidationFailed(
            _("Choose someone else from this youth's current network."),
            errors=[{"field": "reassign_to", "message": _("Choose someone else from this youth's current network.")}],
        )
    count = open_actions.count()
    if count and reassign_to is None:
        raise GuardFailed(
            ngettext(
                "%(name)s is responsible for %(n)d open action. Choose who takes it over first.",
                "%(name)s is responsible for %(n)d open actions. Choose who takes them over first.",
                count,
            )
            % {"name": member.name, "n": count},
            errors=[{"field": "reassign_to", "message": _("Choose who takes over the open actions.")}],
        )
    with transaction.atomic():
        if count:
            open_actions.update(responsible_member=reassign_to)
        member.until = on
        if member.is_trusted_person:
            member.is_trusted_person = False
            Case.objects.with_scope(chain=case.chain_id).filter(pk=case.pk).update(
                trusted_person_name="", trusted_person_contact=""
            )
        member.save(update_fields=["until", "is_trusted_person", "updated_at"])
        log(
            "network.member_ended",
            actor=actor,
            obj=member,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"reassigned_actions": count},
        )
    return member


# --- Offence groups -------------------------------------------------------------------------------


def create_offence_group(*, actor: User, chain, name: str, facts_on: date | None, dynamics: str = "") -> OffenceGroup:
    if not roles_in(actor, chain.pk) & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR}:
        raise NotAllowed(_("Your role does not allow this."))
    errors = Errors()
    if not name.strip():
        errors.add("name", _("Give a name for the group or the facts."))
    if facts_on and facts_on > timezone.localdate():
        errors.add("facts_on", _("The date of the facts cannot be in the future."))
    errors.raise_if_any()
    with transaction.atomic():
        group = OffenceGroup.objects.create(
            chain=chain, name=name.strip(), facts_on=facts_on, dynamics=dynamics.strip(), created_by=actor
        )
        log("offence_group.changed", actor=actor, obj=group, chain_id=chain.pk)
    return group


def link_case_to_group(
    *,
    actor: User,
    group: OffenceGroup,
    case: Case,
    position: str = GroupPosition.UNKNOWN,
    influence: str = Influence.UNKNOWN,
) -> OffenceGroupMember:
    """Link a case to a group: coordinators any case of the chain, case directors their own."""
    from ketenregie.consent.policy import can_work_on_case

    if case.chain_id != group.chain_id:
        raise ValidationFailed(
            _("The case belongs to another chain."),
            errors=[{"field": "case", "message": _("The case belongs to another chain.")}],
        )
    if not can_work_on_case(actor, case):
        raise NotAllowed(_("Your role does not allow this."))
    require_unrestricted(case)  # a closed case may still be linked, a restricted one not
    errors = Errors()
    if position not in GroupPosition.values:
        errors.add("position", _("Choose a position."))
    if influence not in Influence.values:
        errors.add("influence", _("Choose the influence."))
    errors.raise_if_any()
    with transaction.atomic():
        link, _created = OffenceGroupMember.objects.with_scope(chain=group.chain_id).update_or_create(
            group=group, case=case, defaults={"position": position, "influence": influence}
        )
        log("offence_group.changed", actor=actor, obj=group, chain_id=group.chain_id, case_id=case.pk)
    return link
