"""Forms of the operational team (OT): meetings, decisions, and the chain's legal-basis register."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Membership, Organisation, User
from ketenregie.cases.enums import FLAGGED_ITEM_DECISIONS, NEW_ITEM_DECISIONS, LegalBasisKind, OTDecision, OTItemKind
from ketenregie.cases.models import LegalBasis
from ketenregie.cases.views.base import DateInput, DateTimeInput, SubmissionKeyMixin

MAX_TEXT = 5000


def valid_legal_bases(chain):
    """The chain's legal bases that are valid today or become valid later (expired ones are hidden)."""
    today = timezone.localdate()
    return LegalBasis.objects.filter(chain=chain).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


class LegalBasisChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: LegalBasis) -> str:
        until = date_format(obj.valid_until, "j F Y") if obj.valid_until else _("no end date")
        return _("%(reference)s — %(kind)s (valid %(start)s to %(end)s)") % {
            "reference": obj.reference,
            "kind": obj.get_kind_display(),
            "start": date_format(obj.valid_from, "j F Y"),
            "end": until,
        }


class AttendeeField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.labels: dict = {}

    def label_from_instance(self, obj) -> str:
        return self.labels.get(obj.pk) or str(obj)


def ot_people(chain) -> tuple[list, dict]:
    """The chain's OT members and operational coordinators, with a label naming organisation and role."""
    memberships = (
        Membership.objects.filter(chain=chain, is_active=True, role__in=[Role.OT_MEMBER, Role.OPERATIONAL_COORDINATOR])
        .select_related("user", "organisation")
        .order_by("user__first_name", "user__last_name")
    )
    labels: dict = {}
    roles: dict = {}
    for m in memberships:
        roles.setdefault(m.user_id, []).append((m.get_role_display(), m.organisation.name if m.organisation else ""))
    users = {m.user_id: m.user for m in memberships}
    for user_id, user in users.items():
        parts = []
        for role, org in roles[user_id]:
            parts.append(f"{role}, {org}" if org else str(role))
        labels[user_id] = f"{user.get_full_name() or user.username} — {'; '.join(parts)}"
    return list(users), labels


class MeetingForm(SubmissionKeyMixin, forms.Form):
    starts_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    legal_basis = LegalBasisChoiceField(
        label=_("Legal basis"),
        queryset=LegalBasis.objects.none(),
        empty_label=_("Choose the legal basis"),
        help_text=_("A case conference may only be held on a valid legal basis (art. 458ter of the Criminal Code)."),
    )
    attendees = AttendeeField(
        label=_("Who attends"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("OT members of organisations that the legal basis does not authorise cannot attend."),
    )

    def __init__(self, *args, chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].queryset = valid_legal_bases(chain)
        user_ids, labels = ot_people(chain)
        field = self.fields["attendees"]
        field.queryset = User.objects.filter(pk__in=user_ids).order_by("first_name", "last_name")
        field.labels = labels
        if not self.is_bound:
            self.initial.setdefault("attendees", user_ids)


DECISION_HELP = {
    OTDecision.INCLUDE: _("The chain takes up the case: choose the case director and motivate the subsidiarity."),
    OTDecision.NOT_INCLUDE: _("The chain does not take up the case: write the advice to the referrer."),
    OTDecision.PARK: _("The OT looks at the case again on a later date."),
    OTDecision.CONTINUE: _("The trajectory goes on as it is."),
    OTDecision.STOP: _("The trajectory stops; the case director can then close the case."),
    OTDecision.OTHER: _("Another decision: describe it in the notes."),
}


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    decision = forms.ChoiceField(label=_("Decision of the OT"), widget=forms.RadioSelect)
    chosen_case_director = forms.ChoiceField(label=_("Case director"), required=False)
    guideline = forms.CharField(
        label=_("First guideline for the case director"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    subsidiarity = forms.CharField(
        label=_("Subsidiarity: why can no regular structure take up this case?"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    advice = forms.CharField(
        label=_("Advice to the referrer"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which other way can take up this case?"),
    )
    recontact_on = forms.DateField(
        label=_("Contact the referrer again on"),
        required=False,
        widget=DateInput,
        help_text=_("Optional: when the referrer wishes to be contacted again."),
    )
    park_until = forms.DateField(label=_("Look at the case again on"), required=False, widget=DateInput)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, item, case_directors: list, **kwargs):
        kwargs.setdefault("prefix", f"item-{item.pk}")
        kwargs.setdefault("initial", {"version": item.version})
        super().__init__(*args, **kwargs)
        self.item = item
        allowed = NEW_ITEM_DECISIONS if item.kind == OTItemKind.NEW else FLAGGED_ITEM_DECISIONS
        self.fields["decision"].choices = [(d.value, d.label) for d in allowed]
        self._directors = {str(u.pk): u for u in case_directors}
        self.fields["chosen_case_director"].choices = [("", _("Choose the case director"))] + [
            (str(u.pk), u.get_full_name() or u.username) for u in case_directors
        ]
        if item.kind == OTItemKind.FLAGGED:
            for name in ("chosen_case_director", "guideline", "subsidiarity", "advice", "recontact_on"):
                del self.fields[name]

    @property
    def is_new_item(self) -> bool:
        return self.item.kind == OTItemKind.NEW

    def decision_help(self) -> list[tuple[str, str]]:
        return [(str(label), str(DECISION_HELP[value])) for value, label in self.fields["decision"].choices]

    def clean_chosen_case_director(self):
        value = self.cleaned_data.get("chosen_case_director")
        return self._directors.get(value) if value else None


class HeldForm(forms.Form):
    notes = forms.CharField(
        label=_("General notes of the meeting"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("These appear in the minutes. Write decisions on the agenda items themselves."),
    )


class AttendanceForm(forms.Form):
    attendee = forms.UUIDField(widget=forms.HiddenInput)


class LegalBasisForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LegalBasisKind.choices, widget=forms.RadioSelect)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=200,
        help_text=_("For example the decree and article, or the prosecutor's reference number."),
    )
    dated = forms.DateField(label=_("Date of the decree or consent"), widget=DateInput)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty when it has no end date."),
    )
    purpose = forms.CharField(
        label=_("Purpose of the case conferences"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    modalities = forms.CharField(
        label=_("Modalities"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the case conferences are held: who chairs, how information is shared and kept."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations authorised to take part"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    authorised_functions = forms.CharField(
        label=_("Functions authorised to take part"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: youth officer of the police, social worker of the CAW."),
    )

    def __init__(self, *args, chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(chain_partnerships__chain=chain).order_by(
            "name"
        )
