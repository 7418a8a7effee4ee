from tests.factories.accounts import (
    PASSWORD,
    ChainFactory,
    ChainPartnerFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    password_hash,
)

__all__ = [
    "PASSWORD",
    "ChainFactory",
    "ChainPartnerFactory",
    "MembershipFactory",
    "OrganisationFactory",
    "UserFactory",
    "password_hash",
]
