"""The consent tests build cases with the same domain-driven builders as the case-workflow tests."""

from tests.cases.conftest import (  # noqa: F401 (fixtures are found by name)
    _english,
    builder,
    counts,
    legal_basis,
    make_case,
    new_audit,
    registration_data,
    today,
)
