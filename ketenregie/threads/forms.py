"""Forms of conversations and the partner workspace. They parse; threads.domain and plans.domain decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenregie.cases.views.base import SubmissionKeyMixin
from ketenregie.plans.enums import ActionStatus
from ketenregie.threads.domain import MAX_BODY, MAX_SUBJECT

BODY_HELP = _(
    "Mention someone in the conversation with @ and their username, e.g. @regisseur1: they get a notification."
)
ATTACHMENT_HELP = _("Optional: a PDF, JPEG or PNG file.")


class MessageForm(SubmissionKeyMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=BODY_HELP,
    )
    attachment = forms.FileField(label=_("Attachment"), required=False, help_text=ATTACHMENT_HELP)


class ThreadForm(MessageForm):
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    participants = forms.MultipleChoiceField(
        label=_("With whom"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only people who may see this case can take part. The case director always takes part."),
    )
    field_order = ["subject", "participants", "body", "attachment"]

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["participants"].choices = [(str(p.pk), p.get_full_name() or p.get_username()) for p in people]

    def chosen(self) -> list:
        return [self.people[pk] for pk in self.cleaned_data["participants"] if pk in self.people]


class EditForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4}))


class ParticipantForm(forms.Form):
    user = forms.ChoiceField(label=_("Add someone to the conversation"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        self.fields["user"].choices = [("", _("Choose a person"))] + [
            (str(p.pk), p.get_full_name() or p.get_username()) for p in people
        ]


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    note = forms.CharField(
        label=_("Note for the case director"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was done, or what is needed. Write no more than needed."),
    )
