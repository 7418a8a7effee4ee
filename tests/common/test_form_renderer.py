"""The Python widgets write exactly what Django's widget templates write."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from ketenregie.common.form_renderer import FAST, FormRenderer

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"

CHOICES = [
    ("", "---"),
    ("a", "Eén"),
    ("b", HOSTILE),
    (3, gettext_lazy("Case director")),
    ("safe", mark_safe("<b>ok</b>")),
]
GROUPED = [("", "Kies"), ("Groep <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]


class Everything(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": HOSTILE, "autofocus": True}))
    empty = forms.CharField(required=False, widget=forms.TextInput(attrs={"disabled": False}))
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    email = forms.EmailField()
    number = forms.IntegerField(min_value=0)
    decimal = forms.DecimalField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": "x y"}))
    blank_note = forms.CharField(required=False, widget=forms.Textarea)
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    grouped = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    yes_no = forms.NullBooleanField()
    radio = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect)
    boxes = forms.MultipleChoiceField(choices=CHOICES[1:], widget=forms.CheckboxSelectMultiple, required=False)
    upload = forms.FileField(required=False)
    when = forms.SplitDateTimeField(required=False)


BOUND = {
    "text": HOSTILE,
    "empty": "",
    "search": "Janssens",
    "email": "not an address",
    "number": "-1",
    "decimal": "1,5",
    "secret": HOSTILE,
    "hidden": '"><x',
    "day": "2026-13-40",
    "flag": "on",
    "note": HOSTILE + "\nregel twee",
    "blank_note": "",
    "choice": "b",
    "grouped": "y",
    "many": ["a", "safe"],
    "yes_no": "true",
    "radio": "a",
    "boxes": ["a", "b"],
    "when_0": "2026-01-01",
    "when_1": "10:00",
}


def _rendered(form: forms.Form, renderer) -> list[str]:
    form.renderer = renderer
    return [str(form[name]) for name in form.fields]


@pytest.mark.parametrize(
    "form",
    [
        Everything(),
        Everything(BOUND),
        Everything(initial={"day": date(2026, 2, 28), "number": 0, "choice": 3, "note": "", "flag": True}),
    ],
    ids=["unbound", "bound with hostile values", "initial values"],
)
def test_every_widget_writes_what_django_s_templates_write(form):
    assert _rendered(form, FormRenderer()) == _rendered(form, DjangoTemplates())


def test_the_common_widgets_are_the_ones_written_in_python():
    """Selects, text areas and inputs of every type take the Python path (the others go to Django)."""
    widgets = [forms.Select(), forms.SelectMultiple(), forms.NullBooleanSelect(), forms.Textarea()]
    widgets += [forms.TextInput(), forms.NumberInput(), forms.HiddenInput(), forms.CheckboxInput(), forms.DateInput()]
    assert {w.template_name for w in widgets} <= set(FAST)
    assert forms.RadioSelect().template_name not in FAST
