"""Forms of the case workflow pages. They parse input; the rules live in cases.domain."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Organisation, User
from ketenregie.cases import domain
from ketenregie.cases.eligibility import Criterion, check_eligibility
from ketenregie.cases.enums import (
    Channel,
    ClosureReason,
    ConsultOutcome,
    Framework,
    Gender,
    GuardianRelation,
    ReferrerKind,
)
from ketenregie.cases.queries import AGE_BANDS, SORTS, STATUS_ORDER
from ketenregie.cases.views.base import YES_NO_UNKNOWN, DateInput, SubmissionKeyMixin, yes_no
from ketenregie.chains.models import Chain

EMPTY_CHOICE = [("", "—")]


def partner_organisations(chain: Chain):
    """The organisations that are (still) partners of ``chain``: the only ones a referrer can come from."""
    today = timezone.localdate()
    return (
        Organisation.objects.filter(chain_partnerships__chain=chain, is_active=True)
        .filter(Q(chain_partnerships__until__isnull=True) | Q(chain_partnerships__until__gte=today))
        .distinct()
        .order_by("name")
    )


# Free text is bounded as in the API (SECURITY.md IU1): an essay fits, a megabyte does not.
MAX_TEXT = 10_000


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ChainFieldMixin(forms.Form):
    """Remembers the chain a form works in across the POST (see views.base.chain_for_request)."""

    keten = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain = chain
        self.initial.setdefault("keten", chain.slug)


def _parsed(form: forms.Form) -> dict:
    """The values of the fields that parsed so far; for an unbound form its initial values."""
    if not form.is_bound:
        return {name: form.get_initial_for_field(field, name) for name, field in form.fields.items()}
    form.is_valid()
    return form.cleaned_data


# --- Consult ------------------------------------------------------------------------------------


class ConsultForm(ChainFieldMixin, SubmissionKeyMixin, forms.Form):
    referrer_kind = forms.ChoiceField(
        label=_("Who asks the question?"), choices=ReferrerKind.choices, widget=forms.RadioSelect
    )
    referrer_organisation = forms.ModelChoiceField(
        label=_("Organisation of the referrer"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only when an organisation asks. The list holds the partner organisations of the chain."),
    )
    referrer_name = forms.CharField(label=_("Name of the person who asks"), max_length=150)
    referrer_contact = forms.CharField(
        label=_("Phone or e-mail of that person"),
        max_length=200,
        required=False,
        help_text=_("So you can call back with the answer."),
    )
    channel = forms.ChoiceField(
        label=_("How did the question come in?"), choices=Channel.choices, widget=forms.RadioSelect
    )
    consulted_on = forms.DateField(label=_("Date of the consult"), widget=DateInput, initial=timezone.localdate)
    summary = forms.CharField(
        label=_("The question, in short"),
        max_length=MAX_TEXT,
        widget=_textarea(4),
        help_text=_("What does the referrer ask, and why now? Write only what is needed to weigh the question."),
    )
    youth_initials = forms.CharField(
        label=_("Initials of the youth"),
        max_length=10,
        required=False,
        help_text=_("Initials only: a consult does not register the youth yet."),
    )
    youth_age = forms.IntegerField(
        label=_("Age of the youth"),
        min_value=0,
        max_value=99,
        required=False,
        help_text=_("If you do not know the birth date."),
    )
    youth_birth_date = forms.DateField(
        label=_("Birth date of the youth"), widget=DateInput, required=False, help_text=_("If known.")
    )
    youth_postal_code = forms.CharField(
        label=_("Postal code where the youth lives"),
        max_length=4,
        required=False,
        help_text=_("If known. Four digits."),
    )
    has_offence = forms.ChoiceField(
        label=_("Did the youth commit an offence?"), choices=YES_NO_UNKNOWN, widget=forms.RadioSelect, required=False
    )
    has_multi_problem = forms.ChoiceField(
        label=_("Is there complex multi-problem in the youth or the family?"),
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Several problems at once (family, school, health, money, ...) that no single service can handle."),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome of the consult"), choices=ConsultOutcome.choices, widget=forms.RadioSelect
    )
    advice = forms.CharField(
        label=_("Advice to the referrer"),
        max_length=MAX_TEXT,
        widget=_textarea(3),
        required=False,
        help_text=_("Required when the case does not fit: which other service can help?"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrer_organisation"].queryset = partner_organisations(self.chain)
        self.initial.setdefault("has_offence", "")
        self.initial.setdefault("has_multi_problem", "")

    def to_data(self) -> domain.ConsultData:
        d = self.cleaned_data
        return domain.ConsultData(
            referrer_kind=d["referrer_kind"],
            referrer_organisation=d["referrer_organisation"]
            if d["referrer_kind"] == ReferrerKind.ORGANISATION
            else None,
            referrer_name=d["referrer_name"],
            referrer_contact=d["referrer_contact"],
            channel=d["channel"],
            consulted_on=d["consulted_on"],
            summary=d["summary"],
            outcome=d["outcome"],
            advice=d["advice"],
            youth_initials=d["youth_initials"],
            youth_age=d["youth_age"],
            youth_birth_date=d["youth_birth_date"],
            youth_postal_code=d["youth_postal_code"],
            has_offence=yes_no(d["has_offence"]),
            has_multi_problem=yes_no(d["has_multi_problem"]),
        )

    def eligibility(self) -> list[Criterion]:
        """The criteria on what was filled in so far (invalid fields count as not known)."""
        d = _parsed(self)
        return check_eligibility(
            chain=self.chain,
            on=d.get("consulted_on") or timezone.localdate(),
            birth_date=d.get("youth_birth_date"),
            age=d.get("youth_age"),
            postal_code=d.get("youth_postal_code") or "",
            has_offence=yes_no(d.get("has_offence") or ""),
            has_multi_problem=yes_no(d.get("has_multi_problem") or ""),
        )


# --- Registration ---------------------------------------------------------------------------------

YOUTH_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "postal_code",
    "municipality",
    "strong_link",
    "strong_link_explanation",
)


class RegistrationForm(ChainFieldMixin, SubmissionKeyMixin, forms.Form):
    # The youth
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=4, help_text=_("Where the youth lives. Four digits.")
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=100)
    strong_link = forms.BooleanField(
        label=_("The youth lives outside the region but has a strong link with it"),
        required=False,
        help_text=_("For example school, family or leisure time in the region."),
    )
    strong_link_explanation = forms.CharField(
        label=_("Explain the strong link"),
        max_length=MAX_TEXT,
        widget=_textarea(2),
        required=False,
        help_text=_("Required when you tick the strong link."),
    )
    # Referrer
    referrer_kind = forms.ChoiceField(
        label=_("Who refers the youth?"), choices=ReferrerKind.choices, widget=forms.RadioSelect
    )
    referrer_organisation = forms.ModelChoiceField(
        label=_("Organisation of the referrer"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Only when an organisation refers. The list holds the partner organisations of the chain."),
    )
    referrer_name = forms.CharField(label=_("Name of the person who refers"), max_length=150)
    referrer_contact = forms.CharField(label=_("Phone or e-mail of that person"), max_length=200, required=False)
    # Why
    concerns = forms.CharField(
        label=_("Concerns"),
        max_length=MAX_TEXT,
        widget=_textarea(3),
        required=False,
        help_text=_("Worries about the youth that are not offences. Record at least one offence or one concern."),
    )
    multi_problem = forms.CharField(
        label=_("Complex multi-problem"),
        max_length=MAX_TEXT,
        widget=_textarea(4),
        help_text=_(
            "Which problems come together in the youth and/or the family (family, school, health, money, ...)?"
        ),
    )
    framework = forms.ChoiceField(
        label=_("Does the youth take part voluntarily, or is it imposed?"),
        choices=Framework.choices,
        widget=forms.RadioSelect,
        initial=Framework.VOLUNTARY,
        help_text=_("Imposed: the youth court made it a condition (decree on youth delinquency)."),
    )
    # Dates
    registered_on = forms.DateField(label=_("Registration date"), widget=DateInput, initial=timezone.localdate)
    youth_informed_on = forms.DateField(
        label=_("The youth was informed of the registration on"),
        widget=DateInput,
        required=False,
        help_text=_("Required: the youth must know about the registration before it is made."),
    )
    parents_informed_on = forms.DateField(
        label=_("The parents were informed of the registration on"),
        widget=DateInput,
        required=False,
        help_text=_("Required when the youth is a minor (under 18): the parents must know before the registration."),
    )
    # Only after a refusal
    override_reason = forms.CharField(
        label=_("Register anyway: why?"),
        widget=_textarea(3),
        required=False,
        help_text=_(
            "Explain why the chain takes this case although not every criterion is met. The reason is kept in the case."
        ),
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("This is a different youth: register a new youth"),
        required=False,
    )
    consult = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, new_trajectory: bool = False, may_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrer_organisation"].queryset = partner_organisations(self.chain)
        if not may_override:
            # Only an operational coordinator may override the criteria; others never see the field.
            del self.fields["override_reason"]
        if new_trajectory:
            # A new trajectory keeps the youth of the closed case: who they are cannot change here.
            for name in ("first_name", "last_name", "birth_date", "gender"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("From the previous case.")

    def youth_data(self) -> domain.YouthData:
        d = self.cleaned_data
        return domain.YouthData(
            first_name=d["first_name"],
            last_name=d["last_name"],
            birth_date=d["birth_date"],
            gender=d["gender"],
            postal_code=d["postal_code"].strip(),
            municipality=d["municipality"],
            strong_link=d["strong_link"],
            strong_link_explanation=d["strong_link_explanation"] if d["strong_link"] else "",
        )


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    relation = forms.ChoiceField(
        label=_("Relation to the youth"), choices=EMPTY_CHOICE + GuardianRelation.choices, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)

    def clean(self):
        data = super().clean()
        if any(data.get(k) for k in ("name", "phone", "email")) and not data.get("relation"):
            self.add_error("relation", _("Choose how this person is related to the youth."))
        return data

    def to_data(self) -> domain.GuardianData:
        d = self.cleaned_data
        return domain.GuardianData(name=d["name"], relation=d["relation"], phone=d["phone"].strip(), email=d["email"])


class OffenceForm(forms.Form):
    offence_type = forms.ChoiceField(label=_("Type of offence"), required=False)
    committed_on = forms.DateField(label=_("Date"), widget=DateInput, required=False, help_text=_("If known."))
    description = forms.CharField(label=_("What happened?"), max_length=5000, widget=_textarea(2), required=False)
    in_group = forms.BooleanField(label=_("Committed in a group"), required=False)

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offence_type"].choices = EMPTY_CHOICE + chain.offence_type_choices

    def to_data(self) -> domain.OffenceData:
        d = self.cleaned_data
        return domain.OffenceData(
            offence_type=d["offence_type"],
            committed_on=d["committed_on"],
            description=d["description"],
            in_group=d["in_group"],
        )


def guardian_formset(data=None, *, initial: list[dict] | None = None):
    initial = initial or []
    factory = forms.formset_factory(GuardianForm, extra=max(0, 2 - len(initial)))
    return factory(data, initial=initial, prefix="guardians")


def offence_formset(data=None, *, chain: Chain):
    factory = forms.formset_factory(OffenceForm, extra=3)
    return factory(data, prefix="offences", form_kwargs={"chain": chain})


def filled_rows(formset) -> list[tuple[int, forms.Form]]:
    """The rows someone filled in, with their position in the formset (for mapping errors back)."""
    if not formset.is_bound:
        return []
    formset.is_valid()
    return [(i, f) for i, f in enumerate(formset.forms) if any(getattr(f, "cleaned_data", {}).values())]


def registration_eligibility(form: RegistrationForm, offences) -> list[Criterion]:
    """The criteria on what was filled in so far; blank parts count as not yet known."""
    d = _parsed(form)
    has_offence = any(f.cleaned_data.get("offence_type") for _i, f in filled_rows(offences)) or None
    strong_link = bool(d.get("strong_link"))
    return check_eligibility(
        chain=form.chain,
        on=d.get("registered_on") or timezone.localdate(),
        birth_date=d.get("birth_date"),
        postal_code=(d.get("postal_code") or "").strip(),
        strong_link=strong_link,
        strong_link_explanation=(d.get("strong_link_explanation") or "") if strong_link else "",
        has_offence=has_offence,
        has_multi_problem=True if (d.get("multi_problem") or "").strip() else None,
    )


# --- Case list ------------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    """The case list's search and filters. Unknown values are dropped, never an error page."""

    q = forms.CharField(
        label=_("Name or case number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.MultipleChoiceField(
        choices=[(s, s) for s in STATUS_ORDER], required=False, widget=forms.MultipleHiddenInput
    )
    case_director = forms.ChoiceField(label=_("Case director"), required=False)
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("All ages"))] + [(k, f"{a}–{b}") for k, (a, b) in AGE_BANDS.items()],
    )
    framework = forms.ChoiceField(label=_("Framework"), required=False, choices=[("", _("All"))] + Framework.choices)
    keten = forms.ChoiceField(label=_("Chain"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False, choices=[(k, label) for k, (label, _o) in SORTS.items()]
    )

    def __init__(self, *args, chains: list[Chain], directors: list[tuple[str, str]] | None, **kwargs):
        """``directors``: (id, name) of the case directors a coordinator may filter on (``case_director_choices``)."""
        super().__init__(*args, **kwargs)
        if len(chains) > 1:
            self.fields["keten"].choices = [("", _("All chains"))] + [(c.slug, c.name) for c in chains]
        else:
            del self.fields["keten"]
        if directors:
            self.fields["case_director"].choices = [("", _("Everyone")), ("none", _("Not assigned yet")), *directors]
        else:
            del self.fields["case_director"]

    def filters(self) -> dict:
        """The valid filter values; an invalid one is left out as if it was not given."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}


# --- Steps ----------------------------------------------------------------------------------------


class VersionForm(forms.Form):
    """The version of the case the user saw: a change by someone else in between is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ConfirmStepForm(VersionForm):
    pass


class ReasonStepForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=5000,
        widget=_textarea(4),
        help_text=_("The reason is kept in the history of the case."),
    )

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["reason"].label = label
        if help_text:
            self.fields["reason"].help_text = help_text


class ActivationStepForm(VersionForm):
    first_conversation_on = forms.DateField(
        label=_("Date of the first conversation with the youth"),
        widget=DateInput,
        help_text=_("The trajectory starts with the case director's first conversation with the youth."),
    )


class ClosureStepForm(VersionForm):
    closure_reason = forms.ChoiceField(label=_("Why is the case closed?"), choices=EMPTY_CHOICE + ClosureReason.choices)

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.domain_codes = [d["code"] for d in chain.life_domains] + ["general"]
        for domain_code, label in chain.life_domain_choices + [("general", _("General"))]:
            self.fields[f"summary_{domain_code}"] = forms.CharField(
                label=_("Closing summary: %(domain)s") % {"domain": label},
                max_length=MAX_TEXT,
                widget=_textarea(2),
                required=False,
            )
        first = f"summary_{self.domain_codes[0]}"
        self.fields[first].help_text = _(
            "Write for at least one life domain how it went: what changed, what remains. Leave the others empty."
        )

    def closure_summary(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"summary_{code}", "") for code in self.domain_codes}


class StartForm(VersionForm):
    referrer_informed_on = forms.DateField(
        label=_("The referrer was informed of the OT's decision on"), widget=DateInput, required=False
    )
    youth_informed_of_decision_on = forms.DateField(
        label=_("The youth was informed of the OT's decision on"), widget=DateInput, required=False
    )
    trusted_person_name = forms.CharField(
        label=_("Trusted person"),
        max_length=150,
        required=False,
        help_text=_("The person the youth chose to trust (family member, coach, teacher, ...)."),
    )
    trusted_person_contact = forms.CharField(
        label=_("Phone or e-mail of the trusted person"), max_length=200, required=False
    )


class AssignForm(VersionForm):
    case_director = forms.ModelChoiceField(
        label=_("Case director"), queryset=User.objects.none(), help_text=_("The case directors of the chain.")
    )

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_director"].queryset = (
            User.objects.filter(
                memberships__chain=chain,
                memberships__role=Role.CASE_DIRECTOR,
                memberships__is_active=True,
                is_active=True,
            )
            .distinct()
            .order_by("first_name", "last_name")
        )


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the OT look at this case again?"),
        max_length=300,
        widget=_textarea(3),
        help_text=_(
            "For example: the youth wants to stop, a new offence, a major change at home. At most 300 characters."
        ),
    )
