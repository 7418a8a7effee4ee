"""Forms of the network page: a member (add and edit), ending a membership, offence groups."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Membership, Organisation
from ketenregie.cases.views.base import DateInput
from ketenregie.network.domain import MemberData
from ketenregie.network.enums import GroupPosition, Influence, MemberKind
from ketenregie.network.models import NetworkMember, OffenceGroup

# Fields that only make sense for a professional; the template groups them under one heading.
FORMAL_FIELDS = ("organisation", "user")


class MemberForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Who is it?"),
        choices=MemberKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Formal: someone who helps the youth in their job. Informal: family, friends, neighbours, the coach ..."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.CharField(
        label=_("Role or relation to the youth"),
        max_length=100,
        help_text=_("For example: mother, brother, football coach, GP, teacher, CLB worker."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— choose the organisation —"),
        help_text=_("The partner organisations of the chain."),
    )
    user = forms.ChoiceField(
        label=_("Partner account"),
        required=False,
        help_text=_(
            "Does this professional have an account as a partner of the chain? Link it, so they find "
            "this youth in their own list (within what the youth consented to)."
        ),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)
    life_domains = forms.MultipleChoiceField(
        label=_("Life domains this person works on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one to place the person in that life domain on the network map."),
    )
    is_support_figure = forms.BooleanField(
        label=_("Support figure (steunfiguur)"),
        required=False,
        help_text=_(
            "Someone who can keep supporting the youth and their family, also after the professional help ends."
        ),
    )
    is_trusted_person = forms.BooleanField(
        label=_("Trusted person (vertrouwenspersoon)"),
        required=False,
        help_text=_(
            "The person of trust the youth chose. There is one at a time: choosing someone new replaces the previous one."
        ),
    )
    youth_agreed = forms.BooleanField(
        label=_("The youth agreed to involve this person"),
        required=False,
        help_text=_("The youth always has a say in how their context is involved."),
    )
    since = forms.DateField(
        label=_("Part of the network since"), required=False, widget=DateInput, help_text=_("Leave empty for today.")
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=DateInput, help_text=_("Only when it is already known when this ends.")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, chain, current_organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain = chain
        # Every active organisation: professionals around a youth also work outside the chain's
        # partners (a GP's practice, a sports club). Administrators keep the list; when editing,
        # the member's current organisation stays selectable even if it was deactivated since.
        offered = Q(is_active=True)
        if current_organisation is not None:
            offered |= Q(pk=current_organisation.pk)
        self.fields["organisation"].queryset = Organisation.objects.filter(offered).distinct().order_by("name")
        self.fields["organisation"].help_text = _("Not in the list? Ask the administrator to add the organisation.")
        # One query: each partner account of the chain with its organisation, for the label.
        self._partner_memberships = {
            str(m.user_id): m
            for m in Membership.objects.filter(chain=chain, role=Role.PARTNER, is_active=True, user__is_active=True)
            .select_related("user", "organisation")
            .order_by("user__first_name", "user__last_name")
        }
        self.fields["user"].choices = [("", _("— no account —"))] + [
            (uid, f"{m.user} — {m.organisation}" if m.organisation_id else str(m.user))
            for uid, m in self._partner_memberships.items()
        ]
        self.fields["life_domains"].choices = chain.life_domain_choices

    def clean_user(self):
        value = self.cleaned_data.get("user")
        return self._partner_memberships[value].user if value else None

    def clean(self):
        data = super().clean()
        if data.get("kind") == MemberKind.INFORMAL:
            # The organisation fields are hidden for informal members; whatever was left in them is not meant.
            data["organisation"], data["user"] = None, None
        elif data.get("user") is not None and data.get("organisation") is None:
            membership = self._partner_memberships.get(str(data["user"].pk))
            data["organisation"] = membership.organisation if membership else None
        return data

    def member_data(self) -> MemberData:
        d = self.cleaned_data
        return MemberData(
            kind=d["kind"],
            name=d["name"],
            role=d["role"],
            organisation=d.get("organisation"),
            user=d.get("user"),
            phone=d.get("phone", ""),
            email=d.get("email", ""),
            is_support_figure=d["is_support_figure"],
            is_trusted_person=d["is_trusted_person"],
            youth_agreed=d["youth_agreed"],
            life_domains=list(d.get("life_domains") or []),
            since=d.get("since"),
            until=d.get("until"),
            notes=d.get("notes", ""),
        )

    @staticmethod
    def initial_from(member: NetworkMember) -> dict:
        return {
            "kind": member.kind,
            "name": member.name,
            "role": member.role,
            "organisation": member.organisation_id,
            "user": str(member.user_id) if member.user_id else "",
            "phone": member.phone,
            "email": member.email,
            "life_domains": list(member.life_domains or []),
            "is_support_figure": member.is_support_figure,
            "is_trusted_person": member.is_trusted_person,
            "youth_agreed": member.youth_agreed,
            "since": member.since,
            "until": member.until,
            "notes": member.notes,
        }

    def general_fields(self):
        return [self[name] for name in ("name", "role", "phone", "email")]

    def formal_fields(self):
        return [self[name] for name in FORMAL_FIELDS]

    def place_fields(self):
        return [self[name] for name in ("life_domains", "is_support_figure", "is_trusted_person", "youth_agreed")]

    def period_fields(self):
        return [self[name] for name in ("since", "until", "notes")]


class EndMemberForm(forms.Form):
    on = forms.DateField(label=_("Last day in the network"), widget=DateInput)
    reassign_to = forms.ModelChoiceField(
        label=_("Who takes over the open actions?"),
        queryset=NetworkMember.objects.none(),
        required=False,
        empty_label=_("— choose someone from the network —"),
        help_text=_("Open actions are never left without someone responsible."),
    )

    def __init__(self, *args, member: NetworkMember, others, has_open_actions: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())
        if has_open_actions:
            self.fields["reassign_to"].queryset = others
            self.fields["reassign_to"].label_from_instance = lambda m: f"{m.name} ({m.role})"
        else:
            del self.fields["reassign_to"]


class OffenceGroupForm(forms.Form):
    """A new offence group; the case on whose page it is created is linked to it straight away."""

    name = forms.CharField(
        label=_("Name of the group or the facts"),
        max_length=150,
        help_text=_('Something the team recognises, e.g. "Thefts Shopping 1, spring". Not the youths\' names.'),
    )
    facts_on = forms.DateField(label=_("Date of the facts"), required=False, widget=DateInput)
    dynamics = forms.CharField(
        label=_("Group dynamics"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How does the group work? Who sets the tone, who follows, who can be influenced?"),
    )
    position = forms.ChoiceField(
        label=_("Position of this youth in the group"), choices=GroupPosition.choices, initial=GroupPosition.UNKNOWN
    )
    influence = forms.ChoiceField(
        label=_("Influence of this youth"), choices=Influence.choices, initial=Influence.UNKNOWN
    )


class GroupLinkForm(forms.Form):
    """This case's place in an existing group (also used to change it)."""

    group = forms.ModelChoiceField(
        label=_("Offence group"), queryset=OffenceGroup.objects.none(), empty_label=_("— choose the group —")
    )
    position = forms.ChoiceField(
        label=_("Position in the group"), choices=GroupPosition.choices, initial=GroupPosition.UNKNOWN
    )
    influence = forms.ChoiceField(label=_("Influence"), choices=Influence.choices, initial=Influence.UNKNOWN)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: (
            f"{g.name} ({g.facts_on:%d-%m-%Y})" if g.facts_on else g.name
        )


class LinkOtherCaseForm(forms.Form):
    """Coordinators link another case of the chain to a group by its case number."""

    reference = forms.CharField(
        label=_("Case number"), max_length=30, help_text=_("The case number of the other youth in this chain.")
    )
    position = forms.ChoiceField(
        label=_("Position in the group"), choices=GroupPosition.choices, initial=GroupPosition.UNKNOWN
    )
    influence = forms.ChoiceField(label=_("Influence"), choices=Influence.choices, initial=Influence.UNKNOWN)
