"""Break the glass: emergency read access to a case of one's chain outside one's scope, with a written
reason, after re-authentication (A7), for a limited time, audited with the reason (AU1) and reported to
the chain's coordinators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.accounts.models import Membership, User
from ketenregie.accounts.reauth import SESSION_REAUTH
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.domain import require_work
from ketenregie.cases.enums import CaseStatus
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent import policy
from ketenregie.consent.domain import break_the_glass
from ketenregie.consent.models import BreakGlassAccess
from ketenregie.followup.models import Notification

S = CaseStatus
REASON = "De jongere is vannacht vermist; de casusregisseur is onbereikbaar en de politie vraagt wie het netwerk is."


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def colleague_case(builder, other_case_director):
    """An active case of the chain, directed by another case director."""
    return builder.make(S.ACTIVE, adult=True, director=other_case_director)


def test_a_case_director_opens_a_colleague_s_case_read_only(
    colleague_case, case_director, coordinator, other_case_director
):
    assert not policy.visible_cases(case_director).filter(pk=colleague_case.pk).exists()

    grant = break_the_glass(actor=case_director, case=colleague_case, reason=REASON)

    user = fresh(case_director)
    assert policy.get_visible_case(user, colleague_case.pk) == colleague_case
    assert policy.can_view_case_content(user, colleague_case)
    assert policy.visible_fields(user, colleague_case) == policy.FULL_FIELDS
    assert not policy.can_work_on_case(user, colleague_case)
    with pytest.raises(NotAllowed):
        require_work(user, colleague_case)
    assert grant.expires_at - grant.created_at == pytest.approx(
        timedelta(hours=policy.BREAK_GLASS_HOURS), abs=timedelta(seconds=5)
    )

    event = AuditEvent.objects.get(action="consent.break_glass")
    assert (event.actor_id, event.case_id, event.reason) == (case_director.pk, colleague_case.pk, REASON)
    assert event.details["access"] == str(grant.pk)
    assert set(Notification.objects.filter(kind="break_glass").values_list("user", "case")) == {
        (coordinator.pk, colleague_case.pk),
        (other_case_director.pk, colleague_case.pk),  # the colleague whose case it is
    }


def test_the_access_ends_after_its_time(colleague_case, case_director):
    break_the_glass(actor=case_director, case=colleague_case, reason=REASON)

    with freeze_time(timezone.now() + timedelta(hours=policy.BREAK_GLASS_HOURS - 1)):
        assert policy.visible_cases(fresh(case_director)).filter(pk=colleague_case.pk).exists()
    with freeze_time(timezone.now() + timedelta(hours=policy.BREAK_GLASS_HOURS, seconds=1)):
        assert not policy.visible_cases(fresh(case_director)).filter(pk=colleague_case.pk).exists()
        assert not policy.can_view_case_content(fresh(case_director), colleague_case)


def test_losing_the_role_ends_the_access(colleague_case, case_director):
    break_the_glass(actor=case_director, case=colleague_case, reason=REASON)
    Membership.objects.filter(user=case_director).update(is_active=False)

    assert not policy.visible_cases(fresh(case_director)).filter(pk=colleague_case.pk).exists()


def test_an_ot_member_opens_the_full_dossier_of_a_case_they_see_as_summary(builder, coordinator, ot_member):
    case = builder.make(S.AWAITING_OT, adult=True)
    builder.plan_meeting(starts_at=timezone.now() + timedelta(days=3), attendees=[coordinator, ot_member])
    assert policy.visible_fields(ot_member, case) == policy.OT_SUMMARY_FIELDS
    assert policy.may_break_the_glass(ot_member, case)

    break_the_glass(actor=ot_member, case=case, reason=REASON)

    assert policy.can_view_case_content(fresh(ot_member), case)


@pytest.mark.parametrize("reason", ["", "   ", "Dringend!"])
def test_the_reason_must_say_why(colleague_case, case_director, reason):
    with pytest.raises(ValidationFailed) as raised:
        break_the_glass(actor=case_director, case=colleague_case, reason=reason)

    assert [e["field"] for e in raised.value.errors] == ["reason"]
    assert not BreakGlassAccess.objects.exists()


@pytest.mark.parametrize("who", ["partner", "strategic", "admin_user", "no_role_user", "outsider", "coordinator"])
def test_who_may_not_break_the_glass(colleague_case, request, who):
    user = request.getfixturevalue(who)

    with pytest.raises(NotAllowed):
        break_the_glass(actor=user, case=colleague_case, reason=REASON)

    assert not BreakGlassAccess.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.break_glass").exists()


def test_no_emergency_access_to_one_s_own_case(builder, case_director):
    own = builder.make(S.ACTIVE, adult=True, director=case_director)

    with pytest.raises(GuardFailed):
        break_the_glass(actor=case_director, case=own, reason=REASON)


# --- The page ------------------------------------------------------------------------------------------


def reauthenticated(client, user):
    session = client.session
    session[SESSION_REAUTH] = {"user": str(user.pk), "at": timezone.now().timestamp()}
    session.save()
    return client


def test_the_page_asks_to_re_authenticate_first(client_for, case_director):
    answer = client_for(case_director).get("/noodtoegang/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/account/bevestigen/")


def test_the_page_is_404_for_who_may_not_break_the_glass(client_for, partner, strategic, coordinator):
    for user in (partner, strategic, coordinator):
        assert reauthenticated(client_for(user), user).get("/noodtoegang/").status_code == 404


def test_an_empty_or_short_reason_is_shown_next_to_the_field(client_for, case_director, colleague_case):
    client = reauthenticated(client_for(case_director), case_director)
    for reason in ("", "Nood"):
        answer = client.post(
            "/noodtoegang/", {"chain": colleague_case.chain_id, "reference": colleague_case.reference, "reason": reason}
        )
        assert answer.status_code == 200
        assert "reason" in answer.context["form"].errors
        assert 'id="id_reason_error"' in answer.content.decode()  # the message sits under the field
    assert not BreakGlassAccess.objects.exists()


def test_an_unknown_case_number_is_shown_next_to_the_field(client_for, case_director, chain):
    client = reauthenticated(client_for(case_director), case_director)
    answer = client.post("/noodtoegang/", {"chain": chain.pk, "reference": "GEEN-DOSSIER", "reason": REASON})

    assert answer.status_code == 200
    assert "reference" in answer.context["form"].errors


def test_breaking_the_glass_opens_the_case_read_only(client_for, case_director, colleague_case, coordinator):
    client = reauthenticated(client_for(case_director), case_director)
    assert client.get(f"/dossiers/{colleague_case.pk}/").status_code == 404

    answer = client.post(
        "/noodtoegang/", {"chain": colleague_case.chain_id, "reference": colleague_case.reference, "reason": REASON}
    )

    assert answer.status_code == 302 and answer["Location"] == f"/dossiers/{colleague_case.pk}/"
    page = client.get(answer["Location"])
    assert page.status_code == 200
    assert page.context["emergency_until"] is not None
    assert "emergency access" in page.content.decode()
    assert client.get(f"/dossiers/{colleague_case.pk}/intake/").status_code == 404  # no writing
    assert client.get(f"/dossiers/{colleague_case.pk}/plan/").status_code == 200
    assert AuditEvent.objects.filter(action="consent.break_glass", reason=REASON).count() == 1
    notice = client_for(coordinator).get("/meldingen/").content.decode()
    assert colleague_case.reference in notice and "emergency access" in notice
