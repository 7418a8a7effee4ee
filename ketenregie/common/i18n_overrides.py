"""Django's own strings whose Dutch translation we override. Nothing imports this module at run time.

In Ketenregie an "aanmelding" is the registration of a case and "aanmelden" is registering a case.
Django's Dutch catalog says "Aanmelden" for "Log in" and "Afmelden" for "Log out". On our screens
that reads as "register a case", so our catalog says "Inloggen" and "Uitloggen" instead. Our
LOCALE_PATHS take precedence over Django's catalogs, but only for msgids that are in our catalog.
`makemessages --no-obsolete` drops every msgid it does not find in our sources, so these msgids
are marked here to keep them there. The Dutch itself is in locale/nl/LC_MESSAGES/django.po.

The list holds every msgid whose Dutch in django/contrib/{admin,auth} (and django/conf/locale)
contains "aanmeld" or "afmeld". tests/test_i18n.py checks that none of them shows
"aanmelden"/"afmelden" in our Dutch.
"""

from django.utils.translation import gettext_noop

DJANGO_LOGIN_STRINGS = [
    # django.contrib.admin: the header link, the login page and the logged-out page.
    gettext_noop("Log in"),
    gettext_noop("Log out"),
    gettext_noop("Log in again"),
    gettext_noop(
        "You are authenticated as %(username)s, but are not authorized to access this page. "
        "Would you like to login to a different account?"
    ),
    # Two spaces after the full stop: that is Django's msgid.
    gettext_noop("Your password has been set.  You may go ahead and log in now."),
    # django.contrib.auth: the logged-out page title and the account fields in the admin.
    gettext_noop("Logged out"),
    gettext_noop("last login"),
    gettext_noop("Designates whether the user can log into this admin site."),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, they may still "
        "be able to authenticate using other backends, such as Single Sign-On or LDAP."
    ),
]
