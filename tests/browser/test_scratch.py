from django.urls import reverse
from tests.browser.helpers import check_page, login, visit
from tests.factories import PASSWORD


def test_login(page, live_server, coordinator):
    login(page, live_server, "coordinator", PASSWORD)
    check_page(page, "home")
    print(page.url)

def test_login2(page, live_server, coordinator):
    login(page, live_server, "coordinator", PASSWORD)
    check_page(page, "home")
    print(page.url)
