"""RFC 9457 problem details: every API error has the same shape."""

from __future__ import annotations

import json

from django.http import HttpResponse

PROBLEM_TYPE = "about:blank"


def problem_response(
    *, status: int, title: str, detail: str = "", errors: list[dict] | None = None, extra: dict | None = None
) -> HttpResponse:
    body: dict = {"type": PROBLEM_TYPE, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json; charset=utf-8"
    )
