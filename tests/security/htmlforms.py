"""Read the POST forms of a page the way a browser would, and fill them in (for the fuzz tests)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser

from django.utils import timezone

TEXT_INPUTS = {"text", "search", "email", "tel", "url", "password"}


@dataclass
class Field:
    name: str
    kind: str  # an input type, "textarea" or "select"
    value: str = ""
    checked: bool = False
    required: bool = False
    multiple: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)

    @property
    def text_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.kind == "textarea" or f.kind in TEXT_INPUTS]

    @property
    def textareas(self) -> list[str]:
        return [f.name for f in self.fields if f.kind == "textarea"]

    @property
    def required_text_inputs(self) -> list[str]:
        """Required text inputs that are still empty (a user has to type something there)."""
        return [f.name for f in self.fields if f.kind in TEXT_INPUTS and f.required and not f.value]

    def filled(self, texts: dict[str, str], *, choose: tuple[str, ...] = ()) -> dict[str, list[str]]:
        """What a browser would send after a user filled in only what is required: defaults kept,
        required choices made, required dates and numbers plausible, a fresh one-time submission
        key, ``texts`` in the text fields and a choice in the selects named in ``choose``."""
        now = timezone.localtime()
        plausible = {
            "date": now.date().isoformat(),
            "datetime-local": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "time": "10:00",
            "number": "1",
        }
        data: dict[str, list[str]] = {}
        radios_done: set[str] = set()
        boxes = [f.name for f in self.fields if f.kind == "checkbox"]
        groups = {name for name in boxes if boxes.count(name) > 1}
        checked_groups = {f.name for f in self.fields if f.kind == "checkbox" and f.checked}
        for f in self.fields:
            if f.kind in {"submit", "button", "reset", "image", "file"}:
                continue
            if f.name == "submission_key":
                data[f.name] = [str(uuid.uuid4())]
            elif f.name in texts:
                data[f.name] = [texts[f.name]]
            elif f.kind == "select":
                first = next((o for o in f.options if o), "") if f.required or f.name in choose else ""
                chosen = [v for v in f.selected if v] or [first]
                data[f.name] = chosen if f.multiple else chosen[:1]
            elif f.kind == "radio":
                if f.name not in radios_done and (f.checked or f.name not in data):
                    data[f.name] = [f.value]
                    if f.checked:
                        radios_done.add(f.name)
            elif f.kind == "checkbox":
                # Ticks are kept; a group of boxes with none ticked gets its first one, so a
                # required choice is made (as a user would). A lone box stays as it is.
                if f.checked:
                    data.setdefault(f.name, []).append(f.value)
                elif f.name not in data and f.name in groups and not checked_groups & {f.name}:
                    data[f.name] = [f.value]
            elif f.kind in plausible and not f.value and f.required:
                data[f.name] = [plausible[f.kind]]
            else:
                data.setdefault(f.name, []).append(f.value)
        return data


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = Form(action=a.get("action", ""))
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "option":
            if self._select is not None:
                self._option_tag(a)
            return
        if tag in {"input", "select", "textarea"} and "name" not in a:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(
                Field(
                    a["name"],
                    kind,
                    a.get("value", "on" if kind in ("checkbox", "radio") else ""),  # a browser's default
                    checked="checked" in a,
                    required="required" in a,
                )
            )
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", required="required" in a)
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(a["name"], "select", required="required" in a, multiple="multiple" in a)
            self._form.fields.append(self._select)

    def _option_tag(self, a):
        assert self._select is not None
        self._select.options.append(a.get("value", ""))
        if "selected" in a:
            self._select.selected.append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def post_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def main_form(html: str, path: str) -> Form:
    """The page's own POST form (not the logout or language forms of the header)."""
    own = [f for f in post_forms(html) if f.action in ("", path) and f.text_fields]
    assert own, f"no POST form with text fields on {path}"
    return max(own, key=lambda f: len(f.fields))
