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
from tests.consent.world import world  # noqa: F401 (the access matrix's world, built once per module)
