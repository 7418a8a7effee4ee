from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {
        # One message for unknown accounts and wrong passwords: no user enumeration (A4).
        "invalid_login": _("This username/e-mail address and password do not match. Check both and try again."),
        "inactive": _("This username/e-mail address and password do not match. Check both and try again."),
    }


class TOTPCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code consists of 6 digits."))
        return code


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class TokenForm(forms.Form):
    VALIDITY = [("30", _("30 days")), ("90", _("90 days")), ("365", _("1 year"))]
    name = forms.CharField(label=_("What is this token for?"), max_length=80)
    valid_days = forms.ChoiceField(label=_("Valid for"), choices=VALIDITY, initial="90")
