"""Every form of the application renders the same with the Python widgets as with Django's templates."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.datastructures import MultiValueDict

from ketenregie.common.form_renderer import FormRenderer
from tests.security.hostile import SCRIPT
from tests.security.test_form_fuzz import FORM_CLASSES, _context, _kwargs_for

pytestmark = pytest.mark.django_db


def _html(form, renderer) -> str:
    rows = form.forms if isinstance(form, forms.BaseFormSet) else [form]
    out = []
    for row in rows:
        row.renderer = renderer
        out += [str(row[name]) for name in row.fields]
    return "\n".join(out)


def _hostile_data(form) -> MultiValueDict:
    data = MultiValueDict()
    rows = [form.empty_form] if isinstance(form, forms.BaseFormSet) else [form]
    for row in rows:
        for name in row.fields:
            data.setlist(row.add_prefix(name), [SCRIPT])
    return data


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda c: f"{c.__module__.rsplit('.', 2)[-2]}.{c.__name__}")
def test_the_form_renders_as_with_django_s_templates(cls, demo):
    kwargs = _kwargs_for(cls, _context(demo))
    for form in (cls(**kwargs), cls(_hostile_data(cls(**kwargs)), **kwargs)):
        assert _html(form, FormRenderer()) == _html(form, DjangoTemplates())
