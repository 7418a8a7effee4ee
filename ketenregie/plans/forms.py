"""Forms of the plan of approach: one life domain at a time, with its goals and their actions.

The editor is one page per life domain: the domain's texts (strengths first), then each goal with
its actions underneath. Every goal and every goal's action list has one empty row to add a new one;
"Save and add more" saves and brings the user back with fresh empty rows, so no JavaScript is
needed. The forms only parse input: the rules (who may be responsible, what is required) live in
plans.domain.save_plan, whose field errors are mapped back onto these forms by the view.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.models import Organisation
from ketenregie.cases.views.base import DateInput
from ketenregie.network.models import NetworkMember
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput
from ketenregie.plans.enums import ActionStatus, ProposedBy

MAX_TEXT = 20_000
TEXTAREA = {"rows": 3}


def current_members(case) -> list[NetworkMember]:
    """The youth's network today: members whose part has not ended (until empty or not yet passed)."""
    today = timezone.localdate()
    return list(
        NetworkMember.objects.filter(case=case)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .filter(Q(since__isnull=True) | Q(since__lte=today))
        .select_related("organisation")
        .order_by("kind", "name")
    )


def partner_organisations(chain) -> list[Organisation]:
    today = timezone.localdate()
    return list(
        Organisation.objects.filter(chain_partnerships__chain=chain)
        .filter(Q(chain_partnerships__until__isnull=True) | Q(chain_partnerships__until__gte=today))
        .distinct()
        .order_by("name")
    )


def member_label(member: NetworkMember) -> str:
    if member.organisation_id:
        return f"{member.name} — {member.role}, {member.organisation.name}"
    return f"{member.name} — {member.role}"


def responsible_choices(members: list[NetworkMember], organisations: list[Organisation]) -> list:
    """One select for "who does it": a person of the network, or else a partner organisation."""
    return [
        ("", _("Choose who is responsible")),
        (_("Someone from the youth's network"), [(f"m:{m.pk}", member_label(m)) for m in members]),
        (_("A partner organisation of the chain"), [(f"o:{o.pk}", o.name) for o in organisations]),
    ]


def responsible_value(member_id, organisation_id) -> str:
    if member_id:
        return f"m:{member_id}"
    if organisation_id:
        return f"o:{organisation_id}"
    return ""


def parse_responsible(value: str) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    kind, _sep, raw = (value or "").partition(":")
    try:
        pk = uuid.UUID(raw)
    except ValueError:
        return None, None
    return (pk, None) if kind == "m" else (None, pk) if kind == "o" else (None, None)


class DomainForm(forms.Form):
    """The texts of one life domain. Strengths come first: the Good Lives Model starts from what goes well."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    strengths = forms.CharField(
        label=_("Strengths and protective factors"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Start here: what goes well, what the youth is good at, who supports them."),
    )
    situation = forms.CharField(
        label=_("Situation"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("How things are now, in a few sentences."),
    )
    risks = forms.CharField(
        label=_("Risks"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("What could go wrong or stands in the way."),
    )
    glm_needs = forms.MultipleChoiceField(
        label=_("Which needs of the youth does this serve? (Good Lives Model)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["glm_needs"].choices = chain.glm_need_choices


class GoalForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("The goal, in the youth's own words"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('Write it down the way the youth says it, e.g. "I want to go back to football training."'),
    )
    proposed_by = forms.ChoiceField(
        label=_("Who proposed this goal?"),
        choices=ProposedBy.choices,
        initial=ProposedBy.YOUTH,
        widget=forms.RadioSelect,
    )
    intended_result = forms.CharField(
        label=_("Intended result"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How will we know the goal is reached?"),
    )
    youth_agreed = forms.BooleanField(label=_("The youth agrees with this goal"), required=False)


class ActionForm(forms.Form):
    id = forms.UUIDField(widget=forms.HiddenInput, required=False)
    what = forms.CharField(
        label=_("What will be done"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.ChoiceField(label=_("Who does it"), required=False)
    due_on = forms.DateField(label=_("By when"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, responsible_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = responsible_choices


class BaseRowFormSet(forms.BaseFormSet):
    """A formset whose rows can be removed with a checkbox, labelled for a newcomer."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = self.delete_label


class GoalFormSet(BaseRowFormSet):
    delete_label = _("Remove this goal")


class ActionFormSet(BaseRowFormSet):
    delete_label = _("Remove this action")


GoalFormSetFactory = forms.formset_factory(GoalForm, formset=GoalFormSet, extra=1, can_delete=True, max_num=50)
ActionFormSetFactory = forms.formset_factory(ActionForm, formset=ActionFormSet, extra=1, can_delete=True, max_num=50)


@dataclass
class GoalBlock:
    """One goal row with its own action rows: what the template draws as one card."""

    form: GoalForm
    actions: forms.BaseFormSet
    number: int

    @property
    def is_new(self) -> bool:
        return not self.form["id"].value()


@dataclass
class DomainEditor:
    """The whole editor of one life domain: its texts, its goals, each goal's actions.

    Built from a snapshot's domain (GET) or from the posted data; ``to_input()`` gives the
    DomainInput for save_plan, and ``place_errors()`` puts save_plan's field errors back.
    """

    chain: object
    domain: str
    domain_form: DomainForm
    goals: forms.BaseFormSet
    blocks: list[GoalBlock] = field(default_factory=list)
    # (form index of goal, [form index of each action]) in the order passed to save_plan
    _order: list[tuple[int, list[int]]] = field(default_factory=list)
    errors_elsewhere: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, *, case, domain: str, version: int, saved: dict | None, data=None) -> DomainEditor:
        """Initial values come from ``saved`` (the snapshot's domain) only when nothing was posted: a
        posted editor stands on its own, so a row counts when it carries an id or has been filled in."""
        chain = case.chain
        choices = responsible_choices(current_members(case), partner_organisations(chain))
        saved = saved or {}
        bound = data is not None
        saved_goals = saved.get("goals", [])
        goals_initial = [
            {
                "id": g["id"],
                "text": g["text"],
                "proposed_by": g["proposed_by"],
                "intended_result": g["intended_result"],
                "youth_agreed": g["youth_agreed"],
            }
            for g in saved_goals
        ]
        domain_form = DomainForm(
            data,
            chain=chain,
            prefix="domain",
            initial=None
            if bound
            else {
                "version": version,
                "strengths": saved.get("strengths", ""),
                "situation": saved.get("situation", ""),
                "risks": saved.get("risks", ""),
                "glm_needs": saved.get("glm_needs", []),
            },
        )
        goals = GoalFormSetFactory(data, prefix="goals", initial=None if bound else goals_initial)
        editor = cls(chain=chain, domain=domain, domain_form=domain_form, goals=goals)
        for i, goal_form in enumerate(goals.forms):
            actions_initial = None
            if not bound and i < len(saved_goals):
                actions_initial = [
                    {
                        "id": a["id"],
                        "what": a["what"],
                        "status": a["status"],
                        "note": a["note"],
                        "due_on": date.fromisoformat(a["due_on"]) if a.get("due_on") else None,
                        "responsible": responsible_value(
                            a.get("responsible_member"), a.get("responsible_organisation")
                        ),
                    }
                    for a in saved_goals[i].get("actions", [])
                ]
            actions = ActionFormSetFactory(
                data,
                prefix=f"goals-{i}-actions",
                initial=actions_initial,
                form_kwargs={"responsible_choices": choices},
            )
            editor.blocks.append(GoalBlock(form=goal_form, actions=actions, number=i + 1))
        return editor

    def is_valid(self) -> bool:
        valid = self.domain_form.is_valid() & self.goals.is_valid()
        for block in self.blocks:
            valid &= block.actions.is_valid()
        if not valid:
            return False
        for block in self.blocks:
            if not self._filled(block.form) and not self._deleted(block.form):
                if any(self._filled(f) for f in block.actions.forms):
                    block.form.add_error("text", _("Write the goal first: an action always belongs to a goal."))
                    valid = False
        return valid

    @staticmethod
    def _deleted(form) -> bool:
        return bool(form.cleaned_data.get("DELETE")) if hasattr(form, "cleaned_data") else False

    def _filled(self, form) -> bool:
        """A row counts when it has an id (it was saved before) or something was filled in."""
        has_id = bool(getattr(form, "cleaned_data", {}).get("id"))
        return (has_id or form.has_changed()) and not self._deleted(form)

    def to_input(self, saved: dict | None) -> DomainInput:
        """This domain as a DomainInput. Only ids that belong to this domain's saved goals and actions
        are passed on, so a tampered id can never move someone else's goal here."""
        saved = saved or {}
        known_goals = {g["id"]: {a["id"] for a in g.get("actions", [])} for g in saved.get("goals", [])}
        data = self.domain_form.cleaned_data
        result = DomainInput(
            domain=self.domain,
            situation=data["situation"],
            strengths=data["strengths"],
            risks=data["risks"],
            glm_needs=list(data["glm_needs"]),
        )
        self._order = []
        for gi, block in enumerate(self.blocks):
            if not self._filled(block.form):
                continue
            g = block.form.cleaned_data
            goal_id = str(g["id"]) if g.get("id") else None
            goal_known = goal_id in known_goals
            goal = GoalInput(
                text=g["text"],
                proposed_by=g["proposed_by"],
                intended_result=g["intended_result"],
                youth_agreed=g["youth_agreed"],
                id=uuid.UUID(goal_id) if goal_known else None,
            )
            action_indexes = []
            for ai, action_form in enumerate(block.actions.forms):
                if not self._filled(action_form):
                    continue
                a = action_form.cleaned_data
                action_id = str(a["id"]) if a.get("id") else None
                member, organisation = parse_responsible(a["responsible"])
                goal.actions.append(
                    ActionInput(
                        what=a["what"],
                        responsible_member=member,
                        responsible_organisation=organisation,
                        due_on=a["due_on"],
                        status=a["status"],
                        note=a["note"],
                        id=uuid.UUID(action_id) if goal_known and action_id in known_goals[goal_id] else None,
                    )
                )
                action_indexes.append(ai)
            result.goals.append(goal)
            self._order.append((gi, action_indexes))
        return result

    def is_empty(self, domain_input: DomainInput) -> bool:
        return not (
            domain_input.goals
            or domain_input.strengths.strip()
            or domain_input.situation.strip()
            or domain_input.risks.strip()
            or domain_input.glm_needs
        )

    FIELD_MAP = {
        "text": "text",
        "proposed_by": "proposed_by",
        "intended_result": "intended_result",
        "what": "what",
        "status": "status",
        "note": "note",
        "due_on": "due_on",
        "responsible_member": "responsible",
        "responsible_organisation": "responsible",
    }

    def place_errors(self, errors: list[dict], domain_index: int, describe_elsewhere) -> None:
        """Put save_plan's errors ("domains.0.goals.1.actions.0.what") next to the right field."""
        for error in errors:
            parts = error["field"].split(".")
            message = error["message"]
            if len(parts) < 2 or parts[0] != "domains" or parts[1] != str(domain_index):
                self.errors_elsewhere.append(describe_elsewhere(parts, message))
                continue
            rest = parts[2:]
            if len(rest) == 1 and rest[0] in self.domain_form.fields:
                self.domain_form.add_error(rest[0], message)
            elif len(rest) >= 3 and rest[0] == "goals" and rest[1].isdigit() and int(rest[1]) < len(self._order):
                goal_index, action_indexes = self._order[int(rest[1])]
                block = self.blocks[goal_index]
                if len(rest) == 3:
                    block.form.add_error(self.FIELD_MAP.get(rest[2]), message)
                elif (
                    len(rest) == 5 and rest[2] == "actions" and rest[3].isdigit() and int(rest[3]) < len(action_indexes)
                ):
                    form = block.actions.forms[action_indexes[int(rest[3])]]
                    form.add_error(self.FIELD_MAP.get(rest[4]), message)
                else:
                    self.domain_form.add_error(None, message)
            else:
                self.domain_form.add_error(None, message)

    @property
    def has_errors(self) -> bool:
        if self.errors_elsewhere or self.domain_form.errors:
            return True
        return any(block.form.errors or any(f.errors for f in block.actions.forms) for block in self.blocks)
