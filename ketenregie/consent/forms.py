"""Forms for recording and withdrawing consents. The rules themselves live in consent/domain.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.models import Organisation
from ketenregie.cases.views.base import DateInput, SubmissionKeyMixin
from ketenregie.consent.enums import ConsentKind, GivenBy


class ConsentForm(SubmissionKeyMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of consent"), choices=ConsentKind.choices, widget=forms.RadioSelect)
    given_by = forms.ChoiceField(label=_("Given by"), choices=GivenBy.choices, widget=forms.RadioSelect)
    given_by_name = forms.CharField(label=_("Name of the person who signed"), max_length=150)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty when the consent holds until the end of the trajectory or until it is withdrawn."),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Partner organisations the youth agrees to share information with"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Needed for a consent to share information. Tick only what the signed form says."),
    )
    life_domains = forms.MultipleChoiceField(
        label=_("Life domains the consent covers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Partners see only what concerns these life domains."),
    )
    document = forms.FileField(
        label=_("Signed document (scan or photo)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(chain_partnerships__chain=chain).order_by(
            "name"
        )
        self.fields["life_domains"].choices = chain.life_domain_choices
        limit_mb = settings.KETENREGIE_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.fields["document"].help_text = _("A PDF, JPEG or PNG file of at most %(mb)d MB.") % {"mb": limit_mb}
        if not self.is_bound:
            self.initial.setdefault("signed_on", timezone.localdate())


class WithdrawForm(forms.Form):
    on = forms.DateField(label=_("Withdrawn on"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: how the youth let you know. Do not write details of the case here."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())


class BreakGlassForm(forms.Form):
    """Emergency access: which case, and why now. The rules live in consent.domain.break_the_glass."""

    chain = forms.ModelChoiceField(label=_("Chain"), queryset=None, empty_label=None)
    reference = forms.CharField(
        label=_("Case number"),
        max_length=30,
        help_text=_("The number of the case you need, as the case director or the coordinator gave it to you."),
    )
    reason = forms.CharField(
        label=_("Why do you need this case now?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Describe the emergency. Your reason is recorded in the audit log and sent to the coordinators of "
            "the chain. Do not write details of the case here."
        ),
    )

    def __init__(self, *args, chains, **kwargs):
        super().__init__(*args, **kwargs)
        from ketenregie.chains.models import Chain

        self.fields["chain"].queryset = Chain.objects.filter(pk__in=[c.pk for c in chains]).order_by("name")
        if len(chains) == 1:
            self.fields["chain"].initial = chains[0].pk
            self.fields["chain"].widget = forms.HiddenInput()

    def clean_reason(self) -> str:
        from ketenregie.consent.domain import BREAK_GLASS_MIN_REASON

        reason = self.cleaned_data["reason"].strip()
        if len(reason) < BREAK_GLASS_MIN_REASON:
            raise forms.ValidationError(
                _("Write why you need this case now, in at least %(n)d characters."),
                params={"n": BREAK_GLASS_MIN_REASON},
            )
        return reason
