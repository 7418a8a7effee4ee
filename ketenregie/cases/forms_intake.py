"""The intake form: built from the chain's life domains and GLM needs (configuration, not code)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenregie.cases.views.base import DateInput

# Strengths first: the practice works from what goes well (Good Lives Model).
ASPECTS = (
    ("strengths", _("Strengths and protective factors"), _("What goes well? Who or what helps the youth here?")),
    ("situation", _("Current situation"), _("How is it going now, in the words of the youth and the family?")),
    ("risks", _("Risks"), _("What worries the youth, the family or the referrer?")),
)
MAX_TEXT = 5000


def aspect_field_name(code: str, aspect: str) -> str:
    return f"domain__{code}__{aspect}"


@dataclass
class DomainGroup:
    code: str
    label: str
    fields: list  # bound fields, strengths first


class IntakeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    intake_on = forms.DateField(
        label=_("Date of the intake conversation"),
        required=False,
        widget=DateInput,
        help_text=_("Leave empty until the conversation has taken place."),
    )
    glm_needs = forms.MultipleChoiceField(
        label=_("Good Lives Model needs the youth wants to work on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    youth_words = forms.CharField(
        label=_("What the youth wants, in their own words"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Write it down the way the youth says it."),
    )
    reflection_until = forms.DateField(
        label=_("Reflection time: come back on"),
        required=False,
        widget=DateInput,
        help_text=_("The youth may take time to think it over. The case waits in intake until this date."),
    )

    def __init__(self, *args, chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain = chain
        self.fields["glm_needs"].choices = chain.glm_need_choices
        for domain in chain.life_domains:
            for aspect, label, help_text in ASPECTS:
                self.fields[aspect_field_name(domain["code"], aspect)] = forms.CharField(
                    label=label,
                    help_text=help_text,
                    required=False,
                    max_length=MAX_TEXT,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

    @classmethod
    def initial_from(cls, intake, case) -> dict:
        initial: dict = {"version": intake.version if intake else 0, "reflection_until": case.reflection_until}
        if intake is None:
            return initial
        initial.update(
            intake_on=intake.intake_on, glm_needs=list(intake.glm_needs or []), youth_words=intake.youth_words
        )
        for code, answers in (intake.domains or {}).items():
            for aspect, value in answers.items():
                initial[aspect_field_name(code, aspect)] = value
        return initial

    def domain_groups(self) -> list[DomainGroup]:
        return [
            DomainGroup(
                d["code"], d["label"], [self[aspect_field_name(d["code"], aspect)] for aspect, _l, _h in ASPECTS]
            )
            for d in self.chain.life_domains
        ]

    def domains_data(self) -> dict[str, dict[str, str]]:
        return {
            d["code"]: {
                aspect: self.cleaned_data.get(aspect_field_name(d["code"], aspect), "") for aspect, _l, _h in ASPECTS
            }
            for d in self.chain.life_domains
        }

    def domain_error_map(self) -> dict[str, str]:
        """Domain error fields (``domains.<code>``) point at the domain's first textarea."""
        return {f"domains.{d['code']}": aspect_field_name(d["code"], ASPECTS[0][0]) for d in self.chain.life_domains}
