"""Forms of follow-up. They parse; followup.domain decides (future contacts, closed cases, cadence range)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.cases.views.base import DateInput, DateTimeInput, SubmissionKeyMixin
from ketenregie.followup.enums import ContactChannel, ContactWith, DigestFrequency, EventKind, SignalKind
from ketenregie.network.models import NetworkMember

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _current_network(case):
    today = timezone.localdate()
    return (
        NetworkMember.objects.filter(case=case)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .filter(Q(since__isnull=True) | Q(since__lte=today))
        .order_by("kind", "name")
    )


class NetworkMemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.role})" if obj.role else obj.name


class ContactForm(SubmissionKeyMixin, forms.Form):
    contact_at = forms.DateTimeField(
        label=_("When"), widget=DateTimeInput(), help_text=_("Date and time of the contact (Belgian time).")
    )
    with_whom = forms.ChoiceField(label=_("With whom"), choices=ContactWith.choices, widget=forms.RadioSelect)
    network_member = NetworkMemberChoice(
        label=_("Who in the network"),
        queryset=NetworkMember.objects.none(),
        required=False,
        empty_label=_("Choose a person"),
        help_text=_("Only when the contact was with someone from the network."),
    )
    channel = forms.ChoiceField(label=_("How"), choices=ContactChannel.choices, widget=forms.RadioSelect)
    reached = forms.ChoiceField(label=_("Did you reach them?"), choices=YES_NO, widget=forms.RadioSelect)
    life_domains = forms.MultipleChoiceField(
        label=_("Life domains you talked about"), required=False, widget=forms.CheckboxSelectMultiple
    )
    positive_development = forms.BooleanField(
        label=_("Something went well: a positive development"),
        required=False,
        help_text=_("It is highlighted in the list and at intervision."),
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What matters for the follow-up. Write no more than needed."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        members = _current_network(case)
        field = self.fields["network_member"]
        field.queryset = members  # what a submitted choice is checked against
        # One query for both: whether there is a network at all, and the choices to show.
        current = list(members)
        self.has_network = bool(current)
        if self.has_network:
            choice = field.iterator(field).choice  # the choices exactly as the field would list them
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            field.choices = [*empty, *(choice(m) for m in current)]
        else:
            # Without anyone in the network that choice can only fail: leave it out.
            del self.fields["network_member"]
            self.fields["with_whom"].choices = [c for c in ContactWith.choices if c[0] != ContactWith.NETWORK_MEMBER]
        self.fields["life_domains"].choices = case.chain.life_domain_choices
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.update(
                {
                    "contact_at": now,
                    "with_whom": ContactWith.YOUTH,
                    "channel": ContactChannel.FACE_TO_FACE,
                    "reached": "yes",
                }
            )

    def contact_data(self):
        from ketenregie.followup.domain import ContactData

        d = self.cleaned_data
        return ContactData(
            contact_at=d["contact_at"],
            with_whom=d["with_whom"],
            channel=d["channel"],
            reached=d["reached"] == "yes",
            note=d.get("note", ""),
            life_domains=list(d.get("life_domains") or []),
            positive_development=bool(d.get("positive_development")),
            network_member=d.get("network_member"),
        )


class CadenceForm(forms.Form):
    days = forms.IntegerField(
        label=_("Contact every … days"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 90, "inputmode": "numeric"}),
        help_text=_("Between 1 and 90. Leave empty to follow the chain's usual rhythm again."),
    )
    reason = forms.CharField(
        label=_("Why a different rhythm?"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"), choices=[("", _("Choose the kind of event")), *EventKind.choices]
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the team needs to know, briefly."),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        flagged = [str(EventKind(k).label) for k in (case.chain.ot_event_kinds or []) if k in EventKind.values]
        if flagged:
            self.fields["kind"].help_text = _("These put the case on the agenda of the next OT meeting: %(kinds)s.") % {
                "kinds": ", ".join(flagged)
            }
        if not self.is_bound:
            self.initial.setdefault("occurred_on", timezone.localdate())


class AcknowledgeForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=200)
    note = forms.CharField(
        label=_("What are you doing about it?"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. Your colleagues see that you picked it up."),
    )


class SignalFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of signal"), required=False)
    case = forms.ChoiceField(label=_("Case"), required=False)

    def __init__(self, *args, cases: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *SignalKind.choices]
        self.fields["case"].choices = [("", _("All cases")), *cases]

    def values(self) -> tuple[str, str]:
        """The valid filters; an invalid value is ignored rather than shown as an error."""
        if not self.is_bound:
            return "", ""
        kind = self.data.get("kind", "")
        case = self.data.get("case", "")
        valid_kinds = {c[0] for c in self.fields["kind"].choices}
        valid_cases = {c[0] for c in self.fields["case"].choices}
        return (kind if kind in valid_kinds else "", case if case in valid_cases else "")


class AdviceForm(forms.Form):
    advice = forms.CharField(
        label=_("The team's advice"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("It is saved in the case's history."),
    )


class PreferenceForm(forms.Form):
    digest = forms.ChoiceField(
        label=_("E-mail summary of your signals"),
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("The e-mail only says how many signals of each kind you have, never names or case numbers."),
    )
