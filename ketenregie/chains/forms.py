"""The chain settings form: lists as one item per line, the playbook as one text per step."""

import re

from django import forms
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketenregie.chains.defaults import PLAYBOOK_STEPS
from ketenregie.chains.models import Chain


def _lines_to_items(text: str, existing: list[dict]) -> list[dict]:
    """Turn one label per line into coded items, keeping the codes of labels that already exist."""
    by_label = {d["label"]: d["code"] for d in existing}
    items, seen = [], set()
    for line in text.splitlines():
        label = line.strip()
        if not label:
            continue
        code = by_label.get(label) or slugify(label).replace("-", "_")[:40] or f"item_{len(items) + 1}"
        if code in seen:
            raise forms.ValidationError(_("“%(label)s” appears twice.") % {"label": label})
        seen.add(code)
        items.append({"code": code, "label": label[:80]})
    return items


class ChainForm(forms.ModelForm):
    life_domains_text = forms.CharField(
        label=gettext_lazy("Life domains"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One life domain per line."),
    )
    glm_needs_text = forms.CharField(
        label=gettext_lazy("GLM needs"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("One need per line (Good Lives Model)."),
    )
    offence_types_text = forms.CharField(
        label=gettext_lazy("Offence types"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One offence type per line."),
    )
    postal_codes_text = forms.CharField(
        label=gettext_lazy("Postal codes of the region"),
        required=False,
        help_text=gettext_lazy("Four-digit Belgian postal codes, separated by commas or spaces, e.g. 3600."),
    )

    class Meta:
        model = Chain
        fields = [
            "name",
            "slug",
            "municipality",
            "age_min",
            "age_max",
            "follow_up_after_max_age",
            "follow_up_cadence_days",
            "out_of_view_days",
            "retention_years",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chain = self.instance
        self.fields["life_domains_text"].initial = "\n".join(d["label"] for d in chain.life_domains)
        self.fields["glm_needs_text"].initial = "\n".join(d["label"] for d in chain.glm_needs)
        self.fields["offence_types_text"].initial = "\n".join(d["label"] for d in chain.offence_types)
        self.fields["postal_codes_text"].initial = ", ".join(chain.postal_codes or [])
        for step, _label in PLAYBOOK_STEPS:
            self.fields[f"playbook_{step}"].initial = chain.playbook_text(step)

    def clean_postal_codes_text(self) -> list[str]:
        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data["postal_codes_text"]) if c]
        bad = [c for c in codes if not re.fullmatch(r"[1-9]\d{3}", c)]
        if bad:
            raise forms.ValidationError(
                _("Not a Belgian postal code: %(codes)s. Use four digits, e.g. 3600.") % {"codes": ", ".join(bad)}
            )
        return sorted(set(codes))

    def clean_life_domains_text(self) -> list[dict]:
        return _lines_to_items(self.cleaned_data["life_domains_text"], self.instance.life_domains)

    def clean_glm_needs_text(self) -> list[dict]:
        return _lines_to_items(self.cleaned_data["glm_needs_text"], self.instance.glm_needs)

    def clean_offence_types_text(self) -> list[dict]:
        return _lines_to_items(self.cleaned_data["offence_types_text"], self.instance.offence_types)

    def save(self, commit: bool = True) -> Chain:
        chain = super().save(commit=False)
        chain.life_domains = self.cleaned_data["life_domains_text"]
        chain.glm_needs = self.cleaned_data["glm_needs_text"]
        chain.offence_types = self.cleaned_data["offence_types_text"]
        chain.postal_codes = self.cleaned_data["postal_codes_text"]
        chain.playbook = {step: self.cleaned_data.get(f"playbook_{step}", "") for step, _label in PLAYBOOK_STEPS}
        if commit:
            chain.save()
        return chain


# One text per workflow step, declared on the class so the administrators' screens know the fields.
for _step, _label in PLAYBOOK_STEPS:
    _field = forms.CharField(
        label=format_lazy(gettext_lazy("Playbook: {}"), gettext_lazy(_label)),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    ChainForm.base_fields[f"playbook_{_step}"] = _field
    ChainForm.declared_fields[f"playbook_{_step}"] = _field
