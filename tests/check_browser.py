"""Say clearly how to get the browser the browser tests need (they are skipped without it)."""

import shutil
import sys

if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
    print(
        "\n*** Debian's Chromium is not installed: the browser tests will be SKIPPED. ***\n"
        "    Install it with:  sudo apt-get update && sudo apt-get install -y chromium\n",
        file=sys.stderr,
    )
