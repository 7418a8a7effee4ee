"""A believable follow-up history for the demo cases, logged through followup.domain.record_contact.

``seed_demo_followup(case, actor)`` gives an active case weekly contacts since its first
conversation. The pattern depends on how many active cases of the chain already have demo
contacts, so seeding a chain's active cases one after the other shows each situation once:

1. steady: weekly contacts, one try that did not reach the youth, a positive development;
2. out of view: reached in the first weeks, then only tries that fail — the "out of view" signal;
3. behind: weekly at first, but the last contact is ten days old — the "contact overdue" signal.

Every name and note is invented. Rerunning is harmless: a case that has contacts is skipped.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ketenregie.cases.enums import CaseStatus
from ketenregie.followup.domain import ContactData, record_contact
from ketenregie.followup.enums import ContactChannel, ContactWith
from ketenregie.followup.models import FollowUpContact

PATTERNS = ("steady", "out_of_view", "behind")

# (days before today, hour, minute, with whom, channel, reached, positive, life domains, note)
STEADY = [
    (
        29,
        16,
        0,
        ContactWith.YOUTH,
        ContactChannel.FACE_TO_FACE,
        True,
        False,
        ["werk_onderwijs", "vrije_tijd"],
        "Kennismaking met de afspraken uit het plan. Wil terug naar school, twijfelt over de richting.",
    ),
    (
        22,
        15,
        30,
        ContactWith.YOUTH,
        ContactChannel.PHONE,
        False,
        False,
        [],
        "Telefoon niet opgenomen, berichtje gestuurd.",
    ),
    (
        21,
        18,
        0,
        ContactWith.TRUSTED_PERSON,
        ContactChannel.PHONE,
        True,
        False,
        ["gezinscontext"],
        "Vertrouwenspersoon ziet hem elke week op training; thuis blijft het gespannen.",
    ),
    (
        15,
        16,
        15,
        ContactWith.YOUTH,
        ContactChannel.HOME_VISIT,
        True,
        False,
        ["gezinscontext", "werk_onderwijs"],
        "Huisbezoek met moeder erbij. Afspraak met de school vastgelegd.",
    ),
    (
        8,
        16,
        0,
        ContactWith.YOUTH,
        ContactChannel.FACE_TO_FACE,
        True,
        True,
        ["werk_onderwijs"],
        "Gaat sinds maandag elke dag naar school en is trots op zijn eerste rapport.",
    ),
    (
        2,
        17,
        30,
        ContactWith.YOUTH,
        ContactChannel.MESSAGE,
        True,
        False,
        ["vrije_tijd"],
        "Kort contact via bericht: wil zich inschrijven bij de voetbalclub.",
    ),
]
OUT_OF_VIEW = [
    (
        29,
        14,
        0,
        ContactWith.YOUTH,
        ContactChannel.FACE_TO_FACE,
        True,
        False,
        ["huisvesting", "financien"],
        "Eerste gesprek na de opstart: woont tijdelijk bij een vriendin, schulden bij de gsm-operator.",
    ),
    (
        24,
        15,
        0,
        ContactWith.YOUTH,
        ContactChannel.FACE_TO_FACE,
        True,
        False,
        ["middelengebruik"],
        "Samen naar het CAW voor een afspraak over de schulden. Gebruik blijft een thema.",
    ),
    (17, 16, 0, ContactWith.YOUTH, ContactChannel.PHONE, False, False, [], "Niet bereikt, voicemail ingesproken."),
    (
        10,
        11,
        0,
        ContactWith.YOUTH,
        ContactChannel.HOME_VISIT,
        False,
        False,
        [],
        "Huisbezoek: niemand thuis. Briefje achtergelaten.",
    ),
    (
        4,
        19,
        0,
        ContactWith.TRUSTED_PERSON,
        ContactChannel.PHONE,
        False,
        False,
        [],
        "Tante bereikt haar ook niet meer sinds vorige week.",
    ),
]
BEHIND = [
    (
        27,
        15,
        0,
        ContactWith.YOUTH,
        ContactChannel.FACE_TO_FACE,
        True,
        False,
        ["werk_onderwijs"],
        "Afspraken van het netwerkoverleg overlopen. Stage bij de garage gaat van start.",
    ),
    (
        20,
        16,
        30,
        ContactWith.YOUTH,
        ContactChannel.PHONE,
        True,
        True,
        ["werk_onderwijs", "vrije_tijd"],
        "Stagebegeleider is tevreden; hij komt elke dag op tijd.",
    ),
    (
        10,
        23,
        30,
        ContactWith.YOUTH,
        ContactChannel.MESSAGE,
        True,
        False,
        ["gezinscontext"],
        "Laat op de avond een bericht: ruzie thuis, slaapt bij zijn broer. Afspraak gemaakt voor volgende week.",
    ),
]


def _at(today: date, days_before: int, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(today - timedelta(days=days_before), time(hour, minute)))


def seed_demo_followup(case, actor, *, pattern: str | None = None) -> int:
    """Log a few weeks of follow-up contacts on an active demo case; returns how many were logged."""
    if case.status != CaseStatus.ACTIVE or FollowUpContact.objects.with_scopes_disabled().filter(case=case).exists():
        return 0
    if pattern is None:
        seeded = (
            FollowUpContact.objects.with_scopes_disabled()
            .filter(case__chain_id=case.chain_id, case__status=CaseStatus.ACTIVE)
            .values("case_id")
            .distinct()
            .count()
        )
        pattern = PATTERNS[seeded % len(PATTERNS)]
    rows = {"steady": STEADY, "out_of_view": OUT_OF_VIEW, "behind": BEHIND}[pattern]
    today = timezone.localdate()
    start = case.first_conversation_on or case.registered_on
    domains = {d["code"] for d in case.chain.life_domains}
    logged = 0
    for days, hour, minute, whom, channel, reached, positive, life_domains, note in rows:
        at = _at(today, days, hour, minute)
        if at.date() < max(start, case.registered_on) or at > timezone.now():
            continue  # a younger case gets the part of the history that fits
        record_contact(
            actor=actor,
            case=case,
            data=ContactData(
                contact_at=at,
                with_whom=whom,
                channel=channel,
                reached=reached,
                note=note,
                life_domains=[d for d in life_domains if d in domains],
                positive_development=positive,
            ),
        )
        logged += 1
    return logged
