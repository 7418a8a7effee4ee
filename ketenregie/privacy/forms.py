from django import forms
from django.utils.translation import gettext_lazy as _

from ketenregie.cases.views.base import DateInput
from ketenregie.privacy.domain import REASON_MAX


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the processing restricted?"),
        help_text=_(
            "For example: the youth contests the accuracy of the data, or objects to the processing. "
            "Write no more than needed; the reason is kept with the case, not in the audit log."
        ),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LiftRestrictionForm(forms.Form):
    lift_reason = forms.CharField(
        label=_("Why can the restriction be lifted?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LegalHoldForm(forms.Form):
    hold_reason = forms.CharField(
        label=_("Why must the case be kept?"),
        help_text=_("For example: a court procedure, a complaint or a request of the youth court."),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    until = forms.DateField(
        label=_("Keep until"),
        required=False,
        help_text=_("Leave empty to keep the case until the hold is lifted."),
        widget=DateInput,
    )
