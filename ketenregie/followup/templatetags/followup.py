from django import template

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many unread notifications ``user`` has (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    from ketenregie.followup.models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()
