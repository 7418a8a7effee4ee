"""Factories for chains, organisations, accounts and roles.

No hidden behaviour: a factory makes exactly the row it names. Roles are separate
``MembershipFactory`` rows, so a test reads which roles a user holds.
"""

from __future__ import annotations

import functools

import factory
from django.contrib.auth.hashers import make_password

from ketenregie.accounts.enums import OrganisationKind, Role
from ketenregie.accounts.models import ChainPartner, Membership, Organisation, User
from ketenregie.chains.models import Chain

PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash() -> str:
    """Argon2 is deliberately slow: hash the shared test password once per test session."""
    return make_password(PASSWORD)


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain

    name = factory.Sequence(lambda n: f"Keten {n}")
    slug = factory.Sequence(lambda n: f"keten-{n}")
    municipality = "Genk"
    age_min = 12
    age_max = 25
    postal_codes = factory.LazyFunction(lambda: ["3600"])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = OrganisationKind.OTHER
    municipality = "Genk"


class ChainPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChainPartner

    chain = factory.SubFactory(ChainFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    in_operational_team = True


class UserFactory(factory.django.DjangoModelFactory):
    """An active account without roles whose password is ``PASSWORD``."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(password_hash)
    is_active = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    chain = factory.SubFactory(ChainFactory)
    role = Role.CASE_DIRECTOR
    organisation = None
    is_active = True
