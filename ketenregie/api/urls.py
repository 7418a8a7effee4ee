from ketenregie.api.api import api
from ketenregie.common.access import API, AUTHENTICATED

# The interactive docs are a page for people: like every page, log in (and pass two-factor) first.
DOCS_URL_NAME = "openapi-view"


def _mark(patterns):
    """The API answers 401 itself (problem+json) instead of redirecting to the login page."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _mark(pattern.url_patterns)
        elif pattern.name == DOCS_URL_NAME:
            pattern.callback.access_rule = AUTHENTICATED
        else:
            pattern.callback.login_required = False
            pattern.callback.access_rule = API
    return patterns


_patterns, _app_name, _namespace = api.urls
api_urlpatterns = (_mark(list(_patterns)), "api")
