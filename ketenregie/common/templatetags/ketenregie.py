from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def widget(field):
    """Render a form field's widget wired to its help text and errors for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}_help")
    if field.errors:
        described.append(f"{field.id_for_label}_error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag
def status_badge(value, label):
    return format_html('<span class="badge badge--{}">{}</span>', value, label)


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.inclusion_tag("includes/playbook.html")
def playbook(chain, step):
    """The chain's playbook (draaiboek) text for a workflow step, shown beside the form."""
    return {"text": chain.playbook_text(step) if chain is not None else "", "step": step}


@register.inclusion_tag("plans/_case_tabs.html", takes_context=True)
def case_tabs(context, case, tab=""):
    """The parts of a case as tabs, for whoever may read the full dossier (not the OT summary).

    A partner gets the parts of their share only: the case, the network and the plan.
    """
    from ketenregie.consent.policy import can_view_case_content, is_partner_of

    request = context.get("request")
    user = getattr(request, "user", None)
    full = user is not None and can_view_case_content(user, case)
    partner = not full and user is not None and is_partner_of(user, case)
    from ketenregie.consent.policy import is_coordinator
    from ketenregie.privacy.queries import active_restriction

    return {
        "case": case,
        "tab": tab,
        "show": full or partner,
        "partner": partner,
        # The access log and the youth's rights are the coordinators' (SECURITY.md AU6, L6, L7).
        "privacy": full and is_coordinator(user, case.chain_id),
        "restriction": active_restriction(case) if full or partner else None,
    }
