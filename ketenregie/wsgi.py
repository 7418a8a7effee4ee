import os

from django.core.wsgi import get_wsgi_application

from ketenregie.common import runtime

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenregie.settings")
application = get_wsgi_application()
runtime.settle()
