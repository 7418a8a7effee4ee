"""Hostile input for the fuzz tests: markup, SQL, template syntax, control characters, huge lengths."""

from __future__ import annotations

from hypothesis import strategies as st

SCRIPT = "<script>alert('kr-xss')</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
# What must never appear in a rendered page: the markup above, unescaped.
UNESCAPED = ("<script>alert(", "<img src=x")

CLASSICS = [
    SCRIPT,
    IMAGE,
    "javascript:alert(1)",
    "' OR '1'='1' --",
    "'; DROP TABLE cases_case; --",
    '" OR ""="',
    "1; SELECT pg_sleep(5)",
    "{{ request.user.password }}",
    "{% debug %}",
    "${7*7}",
    "%s%s%s%n",
    "../../../../etc/passwd",
    "\x00",
    "nul\x00in the middle",
    "\r\nSet-Cookie: injected=1",
    "\u202eevil.exe\u202c",  # right-to-left override
    "\u200b\u200d\ufeff",  # zero-width characters and a byte-order mark
    "\x1b[31mred\x1b[0m",
    "😀" * 64,
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31T23:59",
    " ",
    "",
    "x" * 10_000,
    "A" * 100_000,
]

hostile_text = st.one_of(
    st.sampled_from(CLASSICS),
    st.text(max_size=40),
    st.builds(lambda a, b: a + b, st.sampled_from(CLASSICS), st.text(max_size=10)),
)
