"""Hostile strings against every form (SECURITY.md IU1) and through the views of the key forms (IU2).

Each form class in ``ketenregie/*/forms*.py`` (and each formset made there) is built with demo data
and fed markup, SQL, template syntax, control characters (NUL included), right-to-left overrides
and huge strings: it must either validate or answer with field errors, never raise; what it accepts
holds no NUL (PostgreSQL refuses it in text, which would be a 500 there) and fits the field's
max_length; the bound form renders with the hostile markup escaped.

The key forms are also posted through their pages by a coordinator, read from the page as a browser
would: no 500, and neither the answer nor the page that shows the stored values carries the markup
unescaped.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

import ketenregie
from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import User
from ketenregie.cases.models import OTAgendaItem
from ketenregie.network.models import NetworkMember, OffenceGroup
from ketenregie.plans.models import Action
from tests.security.hostile import IMAGE, SCRIPT, UNESCAPED, hostile_text
from tests.security.htmlforms import main_form

FORM_EXAMPLES = 20
VIEW_EXAMPLES = 8
FUZZ = hypothesis_settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _form_modules():
    for info in pkgutil.walk_packages(ketenregie.__path__, "ketenregie."):
        last = info.name.rsplit(".", 1)[-1]
        if last == "forms" or last.startswith("forms_"):
            yield importlib.import_module(info.name)


def _is_form(obj: Any, module) -> bool:
    if not inspect.isclass(obj):
        return False
    if issubclass(obj, forms.BaseForm):
        return obj.__module__ == module.__name__
    # formset_factory() classes belong to Django's module; keep those built from our forms.
    form = getattr(obj, "form", None)
    return issubclass(obj, forms.BaseFormSet) and inspect.isclass(form) and form.__module__.startswith("ketenregie.")


def all_form_classes() -> list[type]:
    found: dict[str, type] = {}
    for module in _form_modules():
        for name, obj in vars(module).items():
            if _is_form(obj, module):
                found.setdefault(f"{module.__name__}.{name}", obj)
    return [found[key] for key in sorted(found)]


def _keyword_parameters(cls: type) -> dict[str, bool]:
    """Every keyword argument the form's own ``__init__`` methods take: name -> required."""
    params: dict[str, bool] = {}
    for klass in cls.__mro__:
        if not klass.__module__.startswith("ketenregie.") or "__init__" not in vars(klass):
            continue
        for p in inspect.signature(klass.__init__).parameters.values():
            if p.kind is p.KEYWORD_ONLY or (p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self"):
                params.setdefault(p.name, p.default is p.empty)
    return params


def _context(demo) -> dict[str, Any]:
    """Constructor arguments of the forms, from the demo data."""
    case = demo.active_case
    members = list(NetworkMember.objects.filter(case=case).select_related("organisation", "user"))
    people = list(User.objects.filter(memberships__chain=demo.chain).distinct().order_by("username"))
    directors = [u for u in people if u.memberships.filter(role=Role.CASE_DIRECTOR).exists()]
    choices = [("", "---")] + [(str(m.pk), str(m)) for m in members]
    return {
        "chain": demo.chain,
        "chains": [demo.chain],
        "case": case,
        "directors": [(str(u.pk), u.get_full_name() or u.username) for u in directors],  # the case list's filter
        "case_directors": directors,
        "item": OTAgendaItem.objects.filter(case__chain=demo.chain).first(),
        "members": members,
        "invitee_ids": [m.pk for m in members],
        "member": members[0],
        "others": NetworkMember.objects.filter(case=case).exclude(pk=members[0].pk),
        "has_open_actions": True,
        "groups": OffenceGroup.objects.filter(chain=demo.chain),
        "actions": list(Action.objects.filter(case=case).select_related("goal__plan_domain")),
        "domains": [d["code"] for d in demo.chain.life_domains],
        "labels": {d["code"]: d["label"] for d in demo.chain.life_domains},
        "people": people,
        "cases": [(str(case.pk), case.reference)],
        "goal_choices": [("", "---"), ("g1", "Goal")],
        "member_choices": choices,
        "responsible_choices": choices,
    }


def _kwargs_for(cls: type, context: dict[str, Any]) -> dict[str, Any]:
    """The arguments the form takes, from ``context``. A subclass may skip a parent's ``__init__``
    (and its arguments): an argument the form refuses is dropped."""
    is_formset = issubclass(cls, forms.BaseFormSet)
    params = _keyword_parameters(cls.form if is_formset else cls)
    missing = [name for name, required in params.items() if required and name not in context]
    assert not missing, f"{cls.__module__}.{cls.__name__} needs {missing}: add demo values to _context()"
    own = {name: context[name] for name in params if name in context}
    while True:
        kwargs = {"form_kwargs": own, "prefix": "rows"} if is_formset else own
        try:
            form = cls(**kwargs)
        except TypeError as exc:
            refused = re.search(r"unexpected keyword argument '(\w+)'", str(exc))
            if refused is None or refused.group(1) not in own:
                raise
            own = {k: v for k, v in own.items() if k != refused.group(1)}
            continue
        if is_formset:
            form.empty_form  # noqa: B018 — builds a row, so a refused row argument shows here too
        return kwargs


def _choices(field: forms.Field) -> list[str]:
    values = []
    for value, label in getattr(field, "choices", []):
        if isinstance(label, (list, tuple)):  # an option group
            values += [str(v) for v, _label in label]
        else:
            values.append(str(value))
    return [v for v in values if v] or [""]


def _value_strategy(field: forms.Field):
    hostile = hostile_text
    if isinstance(field, forms.FileField):
        names = st.sampled_from(["../../etc/passwd", "a\x00b.pdf", "<script>.pdf", "x" * 300 + ".pdf", "ok.pdf"])
        return st.builds(lambda n, b: SimpleUploadedFile(n, b), names, st.binary(max_size=64))
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(st.one_of(st.sampled_from(_choices(field)), hostile), max_size=3)
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return st.one_of(st.sampled_from(_choices(field)), hostile)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "", "false"]), hostile)
    return hostile


def _data_keys(bound) -> list[str]:
    widget = bound.field.widget
    if isinstance(widget, forms.MultiWidget):
        return [bound.html_name + suffix for suffix in widget.widgets_names]
    return [bound.html_name]


def _strategy_for(form) -> st.SearchStrategy:
    optional = {}
    if isinstance(form, forms.BaseFormSet):
        management = form.management_form
        optional[management.add_prefix("TOTAL_FORMS")] = st.one_of(st.sampled_from(["1", "2"]), hostile_text)
        optional[management.add_prefix("INITIAL_FORMS")] = st.one_of(st.just("0"), hostile_text)
        rows = [form.empty_form.__class__(**form.get_form_kwargs(i), prefix=form.add_prefix(i)) for i in (0, 1)]
    else:
        rows = [form]
    for row in rows:
        for name, field in row.fields.items():
            for key in _data_keys(row[name]):
                optional[key] = _value_strategy(field)
    return st.fixed_dictionaries({}, optional=optional)


def _check_form(cls: type, kwargs: dict[str, Any], drawn: dict[str, Any]) -> None:
    data, files = MultiValueDict(), MultiValueDict()
    for key, value in drawn.items():
        target = files if isinstance(value, SimpleUploadedFile) else data
        target.setlist(key, value if isinstance(value, list) else [value])
    form = cls(data, files, **kwargs)
    valid = form.is_valid()
    rows = form.forms if isinstance(form, forms.BaseFormSet) else [form]
    for row in rows:
        assert all(isinstance(str(message), str) for errors in row.errors.values() for message in errors)
        if not valid:
            continue
        for name, value in (row.cleaned_data or {}).items():
            if isinstance(value, str):
                assert "\x00" not in value, f"{name} accepted a NUL character"
                limit = getattr(row.fields.get(name), "max_length", None)
                assert limit is None or len(value) <= limit, f"{name} accepted {len(value)} > {limit} characters"
    html = str(form) if not isinstance(form, forms.BaseFormSet) else "".join(str(row) for row in form.forms)
    for markup in UNESCAPED:
        assert markup not in html, f"rendered unescaped: {markup}"


FORM_CLASSES = all_form_classes()


def test_the_walk_finds_the_forms():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"ConsultForm", "RegistrationForm", "IntakeForm", "ContactForm", "MemberForm", "ConsentForm"} <= names
    assert len(FORM_CLASSES) >= 40


def _fuzz_form(cls: type, kwargs: dict[str, Any]) -> None:
    @hypothesis_settings(FUZZ, max_examples=FORM_EXAMPLES)
    @given(drawn=_strategy_for(cls(**kwargs)))
    def fuzz(drawn):
        _check_form(cls, kwargs, drawn)

    fuzz()


def test_every_form_takes_hostile_input_without_an_exception(demo, record_property):
    context = _context(demo)
    problems: dict[str, str] = {}
    checked = 0
    for cls in FORM_CLASSES:
        try:
            _fuzz_form(cls, _kwargs_for(cls, context))
        except Exception as exc:  # every form is tried; the report names each failing one
            problems[f"{cls.__module__}.{cls.__name__}"] = f"{type(exc).__name__}: {exc}"[:1500]
        checked += 1
    figure = f"hypothesis: {checked} forms x {FORM_EXAMPLES} hostile submissions"
    record_property("figure", figure)
    print(figure)
    assert problems == {}, "\n\n".join(f"{name}\n{detail}" for name, detail in problems.items())


# Forms whose free text needs no maximum of its own, and why.
UNBOUNDED_TEXT_ALLOWED = {
    "ketenregie.chains.forms.ChainForm": "administrators' chain settings: each list line is cut to 80 characters",
}


def test_every_free_text_field_has_a_maximum_length(demo):
    """IU1 lengths: a textarea without max_length takes whatever fits in the request (12 MB)."""
    context = _context(demo)
    unbounded = []
    for cls in FORM_CLASSES:
        name = f"{cls.__module__}.{cls.__name__}"
        if name in UNBOUNDED_TEXT_ALLOWED:
            continue
        form = cls(**_kwargs_for(cls, context))
        rows = [form.empty_form] if isinstance(form, forms.BaseFormSet) else [form]
        for row in rows:
            for field_name, field in row.fields.items():
                if isinstance(field.widget, forms.Textarea) and not getattr(field, "max_length", None):
                    unbounded.append(f"{name}.{field_name}")
    assert unbounded == []


# --- Through the views ----------------------------------------------------------------------------


def _key_pages(demo) -> dict[str, str]:
    active, intake = demo.active_case.pk, demo.intake_case.pk
    return {
        "consult": reverse("cases:consult_create"),
        "intake": reverse("cases:intake", kwargs={"case_id": intake}),
        "contact": reverse("followup:contacts", kwargs={"case_id": active}),
        "network member": reverse("network:member_add", kwargs={"case_id": active}),
        "event": reverse("followup:events", kwargs={"case_id": active}),
    }


# Selects that are required only together with another answer (an organisation for a professional).
CHOOSE = ("referrer_organisation", "organisation")


def _post(client: Client, url: str, texts_for, choose: tuple[str, ...] = ()) -> tuple[int, str, bool]:
    """Read the page's form, fill it with ``texts_for(form)``, post it and follow the redirect.
    Returns the final status, its HTML and whether the post redirected (was accepted)."""
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    form = main_form(page.content.decode(), url)
    response = client.post(form.action or url, form.filled(texts_for(form), choose=choose), follow=True)
    return response.status_code, response.content.decode(), bool(response.redirect_chain)


def _unescaped(html: str) -> list[str]:
    return [markup for markup in UNESCAPED if markup in html]


def _fuzz_page(client: Client, label: str, url: str, problems: list[str]) -> int:
    posted = 0

    @hypothesis_settings(FUZZ, max_examples=VIEW_EXAMPLES)
    @given(values=st.lists(hostile_text, min_size=8, max_size=8))
    def post(values):
        nonlocal posted
        status, html, _saved = _post(
            client,
            url,
            lambda form: {n: values[i % len(values)] for i, n in enumerate(form.text_fields)},
            CHOOSE,
        )
        posted += 1
        if status >= 500 or _unescaped(html):
            problems.append(f"{label} ({url}): {status} {_unescaped(html)} with {[v[:40] for v in values]}")

    post()
    return posted


def test_key_forms_posted_with_hostile_strings_never_fail(demo, client_for, record_property):
    client = client_for(demo.coordinator)
    problems: list[str] = []
    posted = sum(_fuzz_page(client, label, url, problems) for label, url in _key_pages(demo).items())
    record_property("figure", f"hypothesis: {posted} hostile posts through {len(_key_pages(demo))} pages")
    assert problems == []


@pytest.mark.parametrize("label", ["consult", "intake", "contact", "network member", "event"])
def test_stored_markup_is_shown_escaped(demo, client_for, label):
    """Stored XSS: the values are saved (the page redirects) and shown, escaped."""
    client = client_for(demo.coordinator)
    url = _key_pages(demo)[label]
    marker = f"{SCRIPT} {IMAGE} {label}"

    def texts(form):
        return {**dict.fromkeys(form.required_text_inputs, "Kr"), **dict.fromkeys(form.textareas, marker)}

    status, html, saved = _post(client, url, texts, CHOOSE)

    assert status == 200 and saved, html[-3000:]
    assert _unescaped(html) == []
    assert "&lt;script&gt;alert(" in html, "the value should be stored and shown (escaped) on the next page"
