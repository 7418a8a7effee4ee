"""The progress chart is a pure function: data in, accessible and escaped SVG out."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ketenregie.plans.charts import progress_svg

NS = "{http://www.w3.org/2000/svg}"


def test_chart_is_an_accessible_image_with_one_line_per_domain():
    svg = progress_svg(
        chart_id="c1",
        title="Progress per life domain",
        desc="Two domains over three meetings",
        date_labels=["1 Mar 2025", "1 Apr 2025", "1 May 2025"],
        series=[("Werk/onderwijs", [2, 3, 4]), ("Vrije tijd", [1, None, 3])],
        y_label="Progress (1–5)",
    )
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title" and root.get("aria-describedby") == "c1-desc"
    assert root.find(f"{NS}title").text == "Progress per life domain"
    assert root.find(f"{NS}desc").text == "Two domains over three meetings"
    assert len(root.findall(f".//{NS}polyline")) == 2
    # a score of 5 is drawn at the top of the plot, a score of 1 at the bottom
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Werk/onderwijs" in texts and "Vrije tijd" in texts and "1 Apr 2025" in texts


def test_every_label_is_escaped():
    hostile = '<script>alert("x")</script>&'
    svg = progress_svg(
        chart_id='"><script>',
        title=hostile,
        desc=hostile,
        date_labels=[hostile],
        series=[(hostile, [3])],
        y_label=hostile,
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_one_meeting_and_scores_out_of_range_are_not_drawn_as_lines():
    svg = progress_svg(chart_id="c", title="t", desc="d", date_labels=["1 Mar 2025"], series=[("A", [9])])
    root = ET.fromstring(svg)
    assert root.findall(f".//{NS}polyline") == []
