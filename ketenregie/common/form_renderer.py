"""Django's form renderer, with the widgets of nearly every form written out in Python.

Django renders each widget through a template, and each option of a select through one more: a
filter with a hundred case directors costs a hundred template renders. The widgets below produce the
very same HTML (``tests/common/test_form_renderer.py`` compares them with Django's templates) in a
fraction of the time; any other template goes to Django's renderer as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

WIDGETS = "django/forms/widgets/"
OPTION = WIDGETS + "select_option.html"
INPUT_TYPES = ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password")
INPUT_TYPES += ("search", "tel", "text", "time", "url")


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As ``django/forms/widgets/attrs.html``: ``False`` leaves an attribute out, ``True`` writes its name only."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"')
    return "".join(out)


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option: Mapping[str, Any]) -> str:
    # Ends in a newline: an included template keeps its last line's, only the outer one is stripped.
    label = conditional_escape(option["label"])
    return f'<option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>{label}</option>\n'


def _select(widget: Mapping[str, Any]) -> str | None:
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None  # an option of its own making: Django's templates render it
            parts.append("\n  " + _option(option))
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: Mapping[str, Any]) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


FAST: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    WIDGETS + "select.html": _select,
    WIDGETS + "textarea.html": _textarea,
    **{f"{WIDGETS}{kind}.html": _input for kind in INPUT_TYPES},
}


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict, request: Any = None) -> SafeString | str:
        fast = FAST.get(template_name)
        if fast is not None and "widget" in context:
            html = fast(context["widget"])
            if html is not None:
                return mark_safe(html.strip())  # noqa: S308 — every value above is escaped; stripped as Django's is
        return super().render(template_name, context, request)
