"""The translation catalogs: Dutch complete, compiled files current, "Inloggen" and never "Aanmelden".

In Ketenregie an "aanmelding" is the registration of a case, so logging in must never be called
"aanmelden" (Django's own Dutch does). The .mo files are committed so that a fresh machine needs no
gettext tools; these tests catch a .po that was changed without compiling it again.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from ketenregie import settings as product_settings
from ketenregie.common import i18n_overrides

LOCALE = Path(settings.LOCALE_PATHS[0])
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
LOGIN = reverse("accounts:login")
# "aanmelden", "aanmelding", "aangemeld", "afmelden", "afgemeld", ... but also "Meld je aan".
LOGIN_AS_REGISTRATION = re.compile(r"aanmeld|aangemeld|afmeld|afgemeld|meld (je|u) (aan|af)\b", re.IGNORECASE)


# --- A small .po reader (polib is not a project dependency) ------------------------------------


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # index 0 for a non-plural msgstr
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def __str__(self) -> str:
        return f"{self.msgctxt + ' | ' if self.msgctxt else ''}{self.msgid!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(literal: str) -> str:
    # A .po string literal uses C escapes, which a Python string literal reads the same way.
    return ast.literal_eval(literal)


def read_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry = Entry()
    current: tuple[str, int] | None = None  # which field a continuation line belongs to
    seen_msgid = False

    def finish() -> None:
        nonlocal entry, current, seen_msgid
        if seen_msgid:
            entries.append(entry)
        entry, current, seen_msgid = Entry(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#"):
            if seen_msgid and current and current[0] == "msgstr":
                finish()  # comments start the next entry
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if not line:
            if seen_msgid:
                finish()
            continue
        if line.startswith('"'):
            if current is None:
                raise ValueError(f"{path}:{number}: a string outside any field")
            text = _unquote(line)
            name, index = current
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, (getattr(entry, name) or "") + text)
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
        keyword, index_text, literal = match.groups()
        if keyword in ("msgctxt", "msgid") and seen_msgid and current and current[0] == "msgstr":
            finish()  # an entry without a blank line before the next one
        text = _unquote(literal)
        if keyword.startswith("msgstr"):
            index = int(index_text) if index_text is not None else 0
            entry.msgstr[index] = text
            current = ("msgstr", index)
        else:
            setattr(entry, keyword, text)
            current = (keyword, 0)
            seen_msgid = seen_msgid or keyword == "msgid"
    finish()
    return [e for e in entries if not e.obsolete]


def _key(entry: Entry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


# --- (a) The Dutch catalog is complete ---------------------------------------------------------


@pytest.fixture(scope="module")
def nl_entries() -> list[Entry]:
    return read_po(NL_PO)


def test_the_po_reader_reads_plurals_contexts_escapes_and_continuations(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: nl\\n"\n\n'
        '#, python-format\nmsgctxt "criterion"\nmsgid "Met"\nmsgstr "Vervuld"\n\n'
        'msgid "%(n)d case"\nmsgid_plural "%(n)d cases"\nmsgstr[0] "%(n)d dossier"\nmsgstr[1] "%(n)d dossiers"\n\n'
        'msgid ""\n"Say \\"hi\\" "\n"twice"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Weg"\n',
        encoding="utf-8",
    )
    header, met, plural, quoted = read_po(po)
    assert header.is_header and header.msgstr == {0: "Language: nl\n"}
    assert (met.msgctxt, met.msgid, met.msgstr, met.flags) == ("criterion", "Met", {0: "Vervuld"}, {"python-format"})
    assert plural.msgid_plural == "%(n)d cases" and plural.msgstr == {0: "%(n)d dossier", 1: "%(n)d dossiers"}
    assert quoted.msgid == 'Say "hi" twice' and quoted.msgstr == {0: ""}


def test_the_dutch_catalog_has_no_untranslated_and_no_fuzzy_entries(nl_entries):
    messages = [e for e in nl_entries if not e.is_header]
    assert len(messages) > 1000  # the catalog really was read
    untranslated = [str(e) for e in messages if not all(e.msgstr.get(i) for i in range(2 if e.msgid_plural else 1))]
    fuzzy = [str(e) for e in nl_entries if "fuzzy" in e.flags]
    assert untranslated == [], f"{len(untranslated)} untranslated: run `make messages` and translate them"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: check each translation, then remove the flag"


def test_the_dutch_header_gives_the_language_and_plural_forms(nl_entries):
    header = next(e for e in nl_entries if e.is_header).msgstr[0]
    assert "Language: nl\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|</?[a-z]+[^>]*>")


def test_every_dutch_translation_keeps_the_placeholders_and_markup(nl_entries):
    wrong = []
    for e in nl_entries:
        if e.is_header:
            continue
        source = sorted(_PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        for index, text in e.msgstr.items():
            found = sorted(_PLACEHOLDER.findall(text))
            # The singular of a plural may leave out the number ("A contact every day").
            if found != source and not (e.msgid_plural and index == 0 and set(found) <= set(source)):
                wrong.append(f"{e}: {text!r}")
    assert wrong == []


def test_the_dutch_never_calls_logging_in_aanmelden(nl_entries):
    about_logging_in = re.compile(r"\blog(ged)?[ -]?(in|out)\b|\blogin\b|\bauthenticat", re.IGNORECASE)
    wrong = [
        f"{e}: {text!r}"
        for e in nl_entries
        if about_logging_in.search(e.msgid)
        for text in e.msgstr.values()
        if LOGIN_AS_REGISTRATION.search(text)
    ]
    assert wrong == []


def test_the_english_catalog_has_the_same_msgids_as_the_dutch(nl_entries):
    en_entries = read_po(EN_PO)
    assert {_key(e) for e in en_entries} == {_key(e) for e in nl_entries}, "run `make messages` for both languages"
    assert not [str(e) for e in en_entries if "fuzzy" in e.flags]


# --- (b) The compiled catalogs match the .po files ---------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_compiled_catalog_is_up_to_date(language):
    po_entries = [e for e in read_po(LOCALE / language / "LC_MESSAGES" / "django.po") if not e.is_header]
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)

    stale = []
    for e in po_entries:
        if e.msgid_plural:
            for n, index in ((1, 0), (2, 1)):
                expected = e.msgstr.get(index) or (e.msgid if n == 1 else e.msgid_plural)
                if e.msgctxt is None:
                    got = compiled.ngettext(e.msgid, e.msgid_plural, n)
                else:
                    got = compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                if got != expected:
                    stale.append(f"{e} (n={n}): {got!r} instead of {expected!r}")
        else:
            expected = e.msgstr.get(0) or e.msgid
            got = compiled.gettext(e.msgid) if e.msgctxt is None else compiled.pgettext(e.msgctxt, e.msgid)
            if got != expected:
                stale.append(f"{e}: {got!r} instead of {expected!r}")
    # Nothing compiled that the .po no longer has (GNUTranslations keeps contexts as "ctxt\x04msgid").
    in_po = {(f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid) for e in po_entries}
    compiled_ids = {key[0] if isinstance(key, tuple) else key for key in vars(compiled)["_catalog"]}
    extra = sorted(compiled_ids - in_po - {""})
    assert stale == [] and extra == [], (
        f"locale/{language}/LC_MESSAGES/django.mo is out of date: run "
        "`KETENREGIE_TESTING=true ../.venv/bin/ketenregie compilemessages --ignore=.venv` in ketenregie/"
    )


# --- (c) What a person sees --------------------------------------------------------------------


def test_the_login_page_says_inloggen_in_dutch(client, db):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="nl")

    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in content
    assert "<h1>Inloggen</h1>" in content
    assert ">Inloggen</button>" in content
    assert not LOGIN_AS_REGISTRATION.search(content), LOGIN_AS_REGISTRATION.search(content)


def test_the_login_page_is_dutch_by_default(client, db, settings):
    # tests/conftest.py switches the other tests to English; put back what the product configures.
    assert product_settings.LANGUAGE_CODE == "nl"
    settings.LANGUAGE_CODE = product_settings.LANGUAGE_CODE

    content = client.get(LOGIN).content.decode()

    assert "<h1>Inloggen</h1>" in content
    assert not LOGIN_AS_REGISTRATION.search(content)


def test_the_language_cookie_en_shows_the_login_page_in_english(client, db):
    assert settings.LANGUAGE_COOKIE_NAME == "ketenregie_language"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="nl")

    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "<h1>Log in</h1>" in content
    assert ">Log in</button>" in content
    assert "Inloggen" not in content


def test_our_catalog_overrides_djangos_aanmelden_and_afmelden():
    overridden = i18n_overrides.DJANGO_LOGIN_STRINGS
    with translation.override("nl"):
        dutch = {msgid: translation.gettext(msgid) for msgid in overridden}
        assert translation.gettext("Log in") == "Inloggen"
        assert translation.gettext("Log out") == "Uitloggen"
        assert translation.gettext("Log in again") == "Opnieuw inloggen"
    assert [msgid for msgid, text in dutch.items() if text == msgid] == []
    assert [text for text in dutch.values() if LOGIN_AS_REGISTRATION.search(text)] == []
    with translation.override("en"):
        assert [msgid for msgid in overridden if translation.gettext(msgid) != msgid] == []


def test_the_django_strings_we_override_still_exist_in_django():
    """When Django renames one of these msgids, our override silently stops working: say so."""
    import django

    django_dir = Path(django.__file__).parent
    catalogs = [
        django_dir / "contrib" / app / "locale" / "nl" / "LC_MESSAGES" / "django.po" for app in ("admin", "auth")
    ] + [django_dir / "conf" / "locale" / "nl" / "LC_MESSAGES" / "django.po"]
    if not any(path.exists() for path in catalogs):
        pytest.skip("this Django installation ships no .po files")
    django_msgids = {e.msgid for path in catalogs if path.exists() for e in read_po(path)}
    assert [s for s in i18n_overrides.DJANGO_LOGIN_STRINGS if s not in django_msgids] == []
    still_aanmelden = sorted(
        e.msgid
        for path in catalogs
        if path.exists()
        for e in read_po(path)
        if not e.is_header and any(LOGIN_AS_REGISTRATION.search(t) for t in e.msgstr.values())
    )
    assert [m for m in still_aanmelden if m not in i18n_overrides.DJANGO_LOGIN_STRINGS] == []
