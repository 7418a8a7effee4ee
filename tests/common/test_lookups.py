"""``field__any_of``: the same rows as ``field__in``, on both databases."""

from __future__ import annotations

import uuid

import pytest

from ketenregie.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds():
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    wanted = [str(first.pk), third.pk, str(uuid.uuid4())]  # text and UUIDs, and an id of no one
    found = set(User.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))
    assert found == set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True)) == {first.pk, third.pk}
    assert set(User.objects.exclude(pk__any_of=[second.pk]).values_list("pk", flat=True)) >= {first.pk, third.pk}
    assert second.pk not in set(User.objects.exclude(pk__any_of=[second.pk]).values_list("pk", flat=True))


def test_no_ids_find_nothing():
    UserFactory()
    assert list(User.objects.filter(pk__any_of=[])) == []
    assert User.objects.exclude(pk__any_of=[]).count() == User.objects.count()
