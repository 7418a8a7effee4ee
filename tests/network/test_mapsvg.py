"""The network map: a pure function from members to an SVG that is safe to render inline."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.utils import translation

from ketenregie.chains.defaults import LIFE_DOMAINS
from ketenregie.network.mapsvg import network_map_rows, network_map_svg, sector_of

SVG = "{http://www.w3.org/2000/svg}"
CODES = [d["code"] for d in LIFE_DOMAINS]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def person(name, role="Moeder", kind="informal", domains=(), *, support=False, trusted=False):
    return SimpleNamespace(
        name=name,
        role=role,
        kind=kind,
        life_domains=list(domains),
        is_support_figure=support,
        is_trusted_person=trusted,
        organisation=None,
    )


def test_markup_in_names_never_becomes_markup():
    evil = person("<script>alert(1)</script>", 'x" onload="alert(2)', kind="formal", domains=["gezondheid"])
    svg = network_map_svg("<b>Jens</b> & co", [evil, person("Ann\x0bie <img src=x onerror=alert(3)>")], LIFE_DOMAINS)

    assert "<script" not in svg and "<img" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&lt;b&gt;Jens&lt;/b&gt; &amp; co" in svg
    root = ET.fromstring(svg)  # well-formed XML, control characters dropped
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= {"svg", "title", "desc", "rect", "text", "path", "circle", "line", "g"}
    attributes = {name for el in root.iter() for name in el.attrib}
    assert not {a for a in attributes if a.lower().startswith("on")}
    assert "style" not in attributes  # the CSP forbids inline styles
    texts = [el.text for el in root.iter(f"{SVG}text")]
    assert any(t and t.startswith("<script>alert(1)") for t in texts)  # shown as text, shortened


def test_the_map_is_an_accessible_image():
    svg = network_map_svg(
        "Jens Vermeulen",
        [person("Karin Vermeulen", support=True), person("Dr. An Claes", "Huisarts", "formal", trusted=False)],
        LIFE_DOMAINS,
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "netwerkkaart-titel netwerkkaart-beschrijving"
    assert root.find(f"{SVG}title").text == "Network map of Jens Vermeulen"
    desc = root.find(f"{SVG}desc").text
    assert "Inner ring, the informal network: Karin Vermeulen (Moeder)." in desc
    assert "Outer ring, the formal network: Dr. An Claes (Huisarts)." in desc
    assert "Support figures: Karin Vermeulen." in desc
    assert root.get("viewBox")  # scales to any width


def test_one_life_domain_places_someone_in_its_sector_several_or_none_in_the_neutral_one():
    assert sector_of(person("A", domains=["financien"]), CODES) == CODES.index("financien")
    assert sector_of(person("B", domains=["financien", "huisvesting"]), CODES) == len(CODES)
    assert sector_of(person("C"), CODES) == len(CODES)
    assert sector_of(person("D", domains=["unknown", "financien"]), CODES) == CODES.index("financien")
    rows = network_map_rows(
        [person("B", domains=["financien", "huisvesting"]), person("A", "Huisarts", "formal", ["gezondheid"])],
        LIFE_DOMAINS,
    )
    assert [(r.member.name, r.ring, r.sector) for r in rows] == [
        ("B", "Inner ring (informal)", "Several or no life domains"),
        ("A", "Outer ring (formal)", "(Mentale) gezondheid"),
    ]


def _boxes(svg: str) -> list[tuple[float, float, float, float]]:
    root = ET.fromstring(svg)
    result = []
    for group in root.iter(f"{SVG}g"):
        rect = group.find(f"{SVG}rect")
        x, y, w, h = (float(rect.get(k)) for k in ("x", "y", "width", "height"))
        result.append((x, y, x + w, y + h))
    return result


def _sector_labels(svg: str) -> list[tuple[float, float, str]]:
    root = ET.fromstring(svg)
    return [
        (float(t.get("x")), float(t.get("y")), t.text) for t in root.findall(f"{SVG}text") if t.get("fill") == "#33414a"
    ]


@pytest.mark.parametrize("informal_share", [0, 5, 9, 14])
def test_up_to_fourteen_people_do_not_overlap(informal_share):
    domains = itertools.cycle(
        [[], ["gezinscontext"], ["werk_onderwijs", "vrije_tijd"], ["gezinscontext"], ["vrije_tijd"]]
    )
    members = [
        person(
            f"Persoon met een lange naam {i}",
            "Begeleider jeugdhulp en gezin",
            "informal" if i < informal_share else "formal",
            next(domains),
            support=i % 3 == 0,
            trusted=i == 1,
        )
        for i in range(14)
    ]
    svg = network_map_svg("Youssef Amrani", members, LIFE_DOMAINS)
    boxes = _boxes(svg)
    assert len(boxes) == 14
    for a, b in itertools.combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert len({text for _x, _y, text in _sector_labels(svg)}) >= len(LIFE_DOMAINS)


def test_every_sector_is_labelled_and_the_legend_explains_the_marks():
    svg = network_map_svg("Jens", [person("Karin", support=True, trusted=True)], LIFE_DOMAINS)
    text = " ".join(t for t in re.findall(r">([^<]+)</text>", svg))
    for d in LIFE_DOMAINS:
        assert d["label"].split("/")[0] in text
    assert "Support figure (thick border)" in text and "Trusted person (vertrouwenspersoon)" in text
    assert "\u2665 \u2605 Karin" in text


def test_a_chain_without_life_domains_still_gets_a_map():
    svg = network_map_svg(
        "Jens", [person("Karin", domains=["gezinscontext"]), person("Dr. Claes", "Huisarts", "formal")], []
    )
    root = ET.fromstring(svg)
    assert len(_boxes(svg)) == 2
    assert [t for _x, _y, t in _sector_labels(svg)] == ["Several or no", "life domains"]
    assert root.find(f"{SVG}path").get("d").count("A") == 4
