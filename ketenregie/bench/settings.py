"""Settings of the benchmark's own server: the application's settings plus two reference pages.

Used only by ``make bench`` (ketenregie/bench/run.py), in-process and under gunicorn. The reference
pages exist in this URLconf only, never in the application's.
"""

from ketenregie.settings import *  # noqa: F403
from ketenregie.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "ketenregie.bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
DEBUG = False
