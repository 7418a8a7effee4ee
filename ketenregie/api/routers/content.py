"""Looking up a case whose content a request reads or changes: its network, plan and meetings.

The case comes through the policy, so a case out of scope is a 404. Someone who sees the case but
may not read its content (an OT member sees the agenda summary only) gets the same 404, as the web
pages do with ``get_case(content=True)``; writing needs the right to work on the case, as
``get_case(work=True)``. A refusal is audited; a read writes one ``case.viewed`` row.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from ketenregie.audit.domain import log
from ketenregie.cases.models import Case
from ketenregie.consent import policy

M = TypeVar("M", bound=Model)


def case_for(
    request: HttpRequest, case_id: Any, *, view: str, work: bool = False, audit: bool = True, shared: bool = False
) -> Case:
    """The case, or 404 when it is out of scope or its content is not for this user.

    ``shared=True`` also lets in a partner's consented share (``policy.can_view_shared_content``),
    as ``get_case(shared=True)``: the endpoint then limits its answer to the allowed life domains.
    """
    user = request.user
    case = policy.get_visible_case(user, case_id)
    if work:
        allowed = policy.can_work_on_case(user, case)
    elif shared:
        allowed = policy.can_view_shared_content(user, case)
    else:
        allowed = policy.can_view_case_content(user, case)
    if not allowed:
        log(
            "access.denied",
            actor=user,
            obj=case,
            chain_id=case.chain_id,
            case_id=case.pk,
            result="denied",
            details={"view": view},
        )
        raise Http404
    if audit:
        log("case.viewed", actor=user, obj=case, chain_id=case.chain_id, case_id=case.pk, details={"view": view})
    return case


def object_of_case(
    request: HttpRequest,
    queryset: QuerySet[M],
    pk: uuid.UUID,
    *,
    view: str,
    work: bool = False,
    audit: bool = True,
) -> M:
    """An object that belongs to one case (a network member, a meeting), looked up through its case.

    The chain scope of the request keeps other chains' objects out of reach; the case then decides
    as in ``case_for``, so an object of a case you may not open is a 404 like a missing one.
    """
    case_id = queryset.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    case = case_for(request, case_id, view=view, work=work, audit=audit)
    found = queryset.get(pk=pk, case=case)
    found.case = case  # the domain functions read obj.case: spare the query
    return found
