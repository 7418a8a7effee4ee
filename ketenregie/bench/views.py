"""The benchmark's two references, served by the same server as the pages they are compared with.

(a) ``empty_page``: an authenticated page that renders only the base layout (navigation, language
    switch, footer): the fixed cost every page pays.
(b) ``NaiveCaseList``: the obvious Django way to list the same cases with the same columns as the
    case list — a ``ListView`` with a ``Paginator`` (``COUNT(*)`` and ``OFFSET``), the youth and the
    case director joined, every cell rendered by the template. It shows the cases the user may see
    (the same access policy as the case list), so both lists do the same work for the same rows.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.generic import ListView

from ketenregie.cases.eligibility import age_on
from ketenregie.cases.views.case_list import PER_PAGE
from ketenregie.common.access import AUTHENTICATED, access_rule
from ketenregie.consent import policy


@access_rule(AUTHENTICATED)
def empty_page(request):
    return render(request, "bench/empty.html")


class NaiveCaseList(ListView):
    access_rule = AUTHENTICATED
    template_name = "bench/naive_list.html"
    context_object_name = "cases"
    paginate_by = PER_PAGE

    def get_queryset(self):
        return (
            policy.visible_cases(self.request.user)
            .select_related("youth", "case_director")
            .order_by("-registered_on", "-created_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for case in context["cases"]:
            case.age_today = age_on(case.youth.birth_date, today)
        return context
