"""Forms of "Mijn traject" and of the case director's invitation page. They parse; portal.domain decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.forms import LoginForm
from ketenregie.cases.views.base import DateInput, SubmissionKeyMixin
from ketenregie.portal.enums import PortalRole


class PortalLoginForm(LoginForm):
    """The same login as the staff's (lockout per name and IP, no enumeration), for portal accounts only."""

    username = forms.CharField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none", "inputmode": "email"}
        ),
    )

    def confirm_login_allowed(self, user):
        from ketenregie.portal.domain import is_portal_user

        super().confirm_login_allowed(user)
        if not is_portal_user(user):
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code from the e-mail"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has 6 digits."))
        return code


class PortalMessageForm(SubmissionKeyMixin, forms.Form):
    body = forms.CharField(
        label=_("Your message to your case director"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class WithdrawalForm(forms.Form):
    note = forms.CharField(
        label=_("Why? (you do not have to say)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InviteForm(forms.Form):
    role = forms.ChoiceField(label=_("Who do you invite?"), choices=PortalRole.choices, widget=forms.RadioSelect)
    network_member = forms.ChoiceField(
        label=_("Trusted person"),
        required=False,
        help_text=_("Only when you invite the trusted person: choose them from the network."),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The invitation and the login codes go to this address. It must not have an account yet."),
    )
    youth_agreed_on = forms.DateField(
        label=_("The youth agreed on"),
        widget=DateInput(),
        help_text=_("The youth decides who sees their trajectory. Ask them first."),
    )

    def __init__(self, *args, trusted_people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.trusted = {str(m.pk): m for m in trusted_people}
        self.fields["network_member"].choices = [("", _("Not applicable"))] + [
            (str(m.pk), f"{m.name} ({m.role})") for m in trusted_people
        ]
        if not self.is_bound:
            self.initial.setdefault("youth_agreed_on", timezone.localdate())

    def chosen_member(self):
        return self.trusted.get(self.cleaned_data.get("network_member") or "")


class EndAccessForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
