"""Forms of the network meeting (FIX-overleg): plan it, record it as held, evaluate it.

They parse input only; meetings.domain decides (never without the youth, confidentiality per
professional, agreements under a goal of the plan) and its field errors are put back here.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenregie.cases.views.base import DateInput, DateTimeInput, SubmissionKeyMixin
from ketenregie.meetings.enums import AgreementKept, LocationKind, MeetingKind
from ketenregie.network.enums import MemberKind
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.forms import member_label

MAX_TEXT = 20_000


def _uuids(values) -> list[uuid.UUID]:
    return [uuid.UUID(v) for v in values]


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return member_label(obj)


class PlanMeetingForm(SubmissionKeyMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=MeetingKind.choices,
        initial=MeetingKind.FIX,
        widget=forms.RadioSelect,
        help_text=_(
            "A network meeting brings the whole network together to make or evaluate the plan. Between two "
            "network meetings you can plan an ad-hoc meeting with part of the network."
        ),
    )
    starts_at = forms.DateTimeField(label=_("Date and start time"), widget=DateTimeInput)
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"), initial=90)
    location_kind = forms.ChoiceField(
        label=_("Where"),
        required=False,
        choices=[("", _("Choose the kind of place")), *LocationKind.choices],
        help_text=_("Choose a place where the youth feels at ease; a neutral room often works best."),
    )
    location = forms.CharField(
        label=_("Address or room"),
        required=False,
        max_length=200,
        help_text=_("For example: Stadhuis Genk, zaal 2.14 — or the link of the online meeting."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The agenda is printed on the invitation: write no offence or health details here."),
    )
    invitees = MemberChoiceField(
        label=_("Who do you invite from the network?"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The youth is always there: without the youth, no network meeting."),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["invitees"]
        from ketenregie.network.models import NetworkMember

        field.queryset = NetworkMember.objects.filter(pk__in=[m.pk for m in members]).select_related("organisation")
        if not self.is_bound:
            self.initial.setdefault("invitees", [m.pk for m in members])


class PastMeetingForm(PlanMeetingForm):
    """When and where a meeting took place that is entered afterwards (no invitations any more)."""

    invitees = None  # type: ignore[assignment]  # who came is recorded below, in the HoldForm
    starts_at = forms.DateTimeField(
        label=_("Date and start time"),
        widget=DateTimeInput,
        help_text=_("When the meeting took place. A meeting still to come is planned, not entered here."),
    )

    def __init__(self, *args, **kwargs):
        forms.Form.__init__(self, *args, **kwargs)


class HoldForm(forms.Form):
    """Who was there, the confidentiality acknowledgements, minutes and what was shared."""

    youth_attended = forms.BooleanField(
        label=_("The youth was at the meeting"),
        required=False,
        help_text=_("Zonder jongere, geen FIX-overleg: a meeting without the youth cannot be recorded as held."),
    )
    present = forms.MultipleChoiceField(
        label=_("Who from the network was present?"), required=False, widget=forms.CheckboxSelectMultiple
    )
    acknowledged = forms.MultipleChoiceField(
        label=_("Acknowledged confidentiality"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every professional present confirms shared professional secrecy for this meeting."),
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    information_shared = forms.CharField(
        label=_("Which information was shared, by whom"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Only what was needed for the purpose of the meeting, e.g. "CLB: school attendance since '
            'March". No more detail than the plan needs.'
        ),
    )

    def __init__(self, *args, members, invitee_ids, **kwargs):
        super().__init__(*args, **kwargs)
        ordered = sorted(members, key=lambda m: (m.pk not in invitee_ids, m.kind, m.name))
        self.members = ordered
        self.invitee_ids = set(invitee_ids)
        self.fields["present"].choices = [(str(m.pk), member_label(m)) for m in ordered]
        self.fields["acknowledged"].choices = [
            (str(m.pk), member_label(m)) for m in ordered if m.kind == MemberKind.FORMAL
        ]
        if not self.is_bound:
            self.initial.setdefault("present", [str(pk) for pk in invitee_ids])

    def rows(self) -> list[dict]:
        """One row per network member: present? and, for professionals, confidentiality acknowledged?"""
        present = set(self["present"].value() or [])
        acknowledged = set(self["acknowledged"].value() or [])
        return [
            {
                "member": m,
                "id": str(m.pk),
                "invited": m.pk in self.invitee_ids,
                "professional": m.kind == MemberKind.FORMAL,
                "present": str(m.pk) in present,
                "acknowledged": str(m.pk) in acknowledged,
            }
            for m in self.members
        ]

    def attendee_ids(self) -> list[uuid.UUID]:
        return _uuids(self.cleaned_data["present"])

    def acknowledged_ids(self) -> list[uuid.UUID]:
        return _uuids(self.cleaned_data["acknowledged"])


class AgreementForm(forms.Form):
    goal = forms.ChoiceField(label=_("Under which goal"), required=False)
    what = forms.CharField(
        label=_("What was agreed"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    responsible = forms.ChoiceField(label=_("Who does it"), required=False)
    due_on = forms.DateField(label=_("By when"), required=False, widget=DateInput)

    def __init__(self, *args, goal_choices=(), member_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = goal_choices
        self.fields["responsible"].choices = member_choices


AgreementFormSet = forms.formset_factory(AgreementForm, extra=3, max_num=30)


def goal_choices(domains, labels: dict[str, str]) -> list:
    """The plan's goals grouped per life domain, for the agreement's "under which goal"."""
    groups = []
    for d in domains:
        goals = [(str(g.pk), g.text if len(g.text) <= 90 else g.text[:89] + "…") for g in d.goals.all()]
        if goals:
            groups.append((labels.get(d.domain, d.domain), goals))
    return [("", _("Choose a goal")), *groups]


def member_choices(members) -> list:
    return [("", _("Choose who does it")), *[(str(m.pk), member_label(m)) for m in members]]


KEPT_CHOICES = [("", _("Not discussed")), *AgreementKept.choices]
REALISTIC_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
SCORE_CHOICES = [
    ("", _("Not scored")),
    ("1", _("1 — no progress")),
    ("2", _("2 — a little progress")),
    ("3", _("3 — some progress")),
    ("4", _("4 — clear progress")),
    ("5", _("5 — goal (almost) reached")),
]


class EvaluationForm(forms.Form):
    """Per open action: kept? realistic? note. Per life domain of the plan: a 1–5 score. Then cooperation."""

    cooperation = forms.CharField(
        label=_("How did the partners work together?"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Did everyone do what was agreed? Was information passed on in time? What can be better?"),
    )

    def __init__(self, *args, actions, domains, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = actions
        self.domains = [(d, labels.get(d, d)) for d in domains]
        for a in actions:
            self.fields[f"kept_{a.pk}"] = forms.ChoiceField(
                label=_("Was it kept?"), choices=KEPT_CHOICES, required=False, widget=forms.RadioSelect
            )
            self.fields[f"realistic_{a.pk}"] = forms.ChoiceField(
                label=_("Was it realistic?"), choices=REALISTIC_CHOICES, initial="yes", widget=forms.RadioSelect
            )
            self.fields[f"note_{a.pk}"] = forms.CharField(
                label=_("Note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"status_{a.pk}"] = forms.ChoiceField(
                label=_("Status from now on"),
                choices=ActionStatus.choices,
                initial=a.status,
                required=False,  # left out: the status stays as it is
                help_text=_("The plan is adjusted: done or stopped actions are no longer open."),
            )
        for code, label in self.domains:
            self.fields[f"score_{code}"] = forms.ChoiceField(
                label=_("Progress in %(domain)s") % {"domain": label},
                choices=SCORE_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"scorenote_{code}"] = forms.CharField(
                label=_("Note"), required=False, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.fields["cooperation"] = self.fields.pop("cooperation")  # last, after the scores

    def action_rows(self) -> list[dict]:
        return [
            {
                "action": a,
                "kept": self[f"kept_{a.pk}"],
                "realistic": self[f"realistic_{a.pk}"],
                "note": self[f"note_{a.pk}"],
                "status": self[f"status_{a.pk}"],
            }
            for a in self.actions
        ]

    def domain_rows(self) -> list[dict]:
        return [
            {"code": code, "label": label, "score": self[f"score_{code}"], "note": self[f"scorenote_{code}"]}
            for code, label in self.domains
        ]

    def to_inputs(self):
        from ketenregie.meetings.domain import ActionEvaluationInput, ProgressInput

        data = self.cleaned_data
        actions = [
            ActionEvaluationInput(
                action_id=a.pk,
                kept=data[f"kept_{a.pk}"],
                realistic=data[f"realistic_{a.pk}"] == "yes",
                note=data[f"note_{a.pk}"],
                status=data[f"status_{a.pk}"] if data[f"status_{a.pk}"] != a.status else "",
            )
            for a in self.actions
            if data[f"kept_{a.pk}"] or data[f"status_{a.pk}"] not in ("", a.status)
        ]
        progress = [
            ProgressInput(domain=code, score=int(data[f"score_{code}"]), note=data[f"scorenote_{code}"])
            for code, _label in self.domains
            if data[f"score_{code}"]
        ]
        return actions, progress

    def place_errors(self, errors: list[dict], actions, progress) -> None:
        for error in errors:
            parts = error["field"].split(".")
            name = None
            if len(parts) == 3 and parts[1].isdigit():
                i = int(parts[1])
                if parts[0] == "actions" and i < len(actions):
                    prefix = "status" if parts[2] == "status" else "kept"
                    name = f"{prefix}_{actions[i].action_id}"
                elif parts[0] == "progress" and i < len(progress):
                    name = f"score_{progress[i].domain}"
            self.add_error(name if name in self.fields else None, error["message"])
