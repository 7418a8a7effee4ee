"""The checks every browser test relies on do fail when they should."""

import pytest
from django.urls import reverse

from tests.browser.helpers import check_page, visit


@pytest.fixture
def login_page(page, live_server, db):
    visit(page, live_server.url + reverse("accounts:login"), "login")
    return page


def test_csp_violation_fails_the_page(login_page):
    # An inline script, as an injected <script> would be: the CSP blocks it, and so must we.
    login_page.evaluate("""() => {
        const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.append(s);
    }""")

    with pytest.raises(AssertionError, match="script-src"):
        check_page(login_page, "inline-script")
    assert login_page.evaluate("() => window.injected") is None


def test_console_error_fails_the_page(login_page):
    login_page.evaluate("() => console.error('something broke')")

    with pytest.raises(AssertionError, match="something broke"):
        check_page(login_page, "console-error")


def test_accessibility_violation_fails_the_page(login_page):
    login_page.evaluate("""() => {
        const img = document.createElement('img'); img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw='; document.querySelector('main').append(img);
        document.querySelector('#id_username').removeAttribute('id');
    }""")

    with pytest.raises(AssertionError) as failure:
        check_page(login_page, "axe-violation")
    assert "image-alt" in str(failure.value)
    assert "label" in str(failure.value)


def test_error_status_is_allowed_only_when_expected(page, live_server, db):
    response = page.goto(live_server.url + "/no-such-page/")
    assert response.status == 404

    with pytest.raises(AssertionError, match="status of 404"):
        check_page(page, "unexpected-404")
    page.reload()
    check_page(page, "expected-404", status=404)
