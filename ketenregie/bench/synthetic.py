"""Synthetic data at scale: many chains, their staff and partners, and cases in every status.

``generate(spec, sink)`` writes believable, invented data through bulk inserts (see bulk.py): a
region of chains in their n-th year, each with partner organisations, coordinators, case directors,
OT members and partners, monthly (or, for large chains, more frequent) OT meetings, and cases from
registration to closure with youths, guardians, offences, intake, consents, OT decisions, networks,
plans (domains, goals, actions, versions), network meetings with evaluations and progress scores,
follow-up contacts, major events, consults, offence groups and intervision sessions.

It bypasses the domain functions (and so the audit log and the per-row encryption) on purpose, but
produces what they would: the same invariants (a transition row for every status a case passed, the
consents the workflow asks before the OT, an OT decision for every included or not included case,
a case director for every trajectory, network meetings only with the youth, ...). The audit log
stays empty: it records what people did, and nobody did this.

Everything random comes from one ``random.Random(seed)`` (and Faker seeded with it), so the same
seed and the same reference day give the same data; only the ciphertexts differ, because Fernet
uses a fresh IV for every encryption.

Encryption: Fernet costs about 7 µs per value, too much for tens of millions of values. Synthetic
texts come from small pools (texts.py), so each distinct plaintext is encrypted once and its
ciphertext reused for every row that holds the same text. Real data never does this (equal
ciphertexts reveal equal plaintexts); here the texts are invented and the reuse makes no difference
to reading them: every stored value is a valid token under the current key.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import translation

from ketenregie.accounts.enums import OrganisationKind as OK
from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import ChainPartner, Membership, Organisation, User
from ketenregie.bench import texts
from ketenregie.cases.domain import search_key
from ketenregie.cases.eligibility import age_on, check_eligibility
from ketenregie.cases.enums import CaseStatus as S
from ketenregie.cases.models import (
    Case,
    CaseTransition,
    Consult,
    Guardian,
    Intake,
    LegalBasis,
    Offence,
    OTAgendaItem,
    OTAttendance,
    OTMeeting,
    Youth,
)
from ketenregie.chains import defaults
from ketenregie.chains.models import Chain
from ketenregie.common.fields import encrypt
from ketenregie.consent.models import Consent
from ketenregie.followup.models import (
    CaseCadence,
    FollowUpContact,
    IntervisionAdvice,
    IntervisionSession,
    MajorEvent,
)
from ketenregie.meetings.models import ActionEvaluation, DomainProgress, MeetingAttendance, NetworkMeeting
from ketenregie.network.models import NetworkMember, OffenceGroup, OffenceGroupMember
from ketenregie.plans.models import Action, Goal, Plan, PlanDomain, PlanVersion

# Parents first: the order in which tables are filled (and flushed).
MODELS: list[Any] = [
    Chain,
    Organisation,
    ChainPartner,
    User,
    Membership,
    LegalBasis,
    LegalBasis.authorised_organisations.through,
    OTMeeting,
    OTAttendance,
    Consult,
    Youth,
    Case,
    Guardian,
    Offence,
    CaseTransition,
    Intake,
    Consent,
    Consent.organisations.through,
    OTAgendaItem,
    NetworkMember,
    OffenceGroup,
    OffenceGroupMember,
    NetworkMeeting,
    NetworkMeeting.invitees.through,
    MeetingAttendance,
    Plan,
    PlanDomain,
    Goal,
    Action,
    ActionEvaluation,
    DomainProgress,
    PlanVersion,
    FollowUpContact,
    CaseCadence,
    MajorEvent,
    IntervisionSession,
    IntervisionAdvice,
]

# Share of each status among a chain's cases after years of work: most trajectories are over.
STATUS_MIX = [
    (S.CLOSED, 0.70),
    (S.NOT_INCLUDED, 0.105),
    (S.WITHDRAWN, 0.08),
    (S.ACTIVE, 0.08),
    (S.INCLUDED, 0.012),
    (S.INTAKE, 0.009),
    (S.REGISTERED, 0.007),
    (S.AWAITING_OT, 0.002),
]
# Ages at registration and how common they are (the chain's range cuts this down).
AGE_WEIGHTS = {12: 2, 13: 4, 14: 7, 15: 10, 16: 12, 17: 12, 18: 8, 19: 6, 20: 4, 21: 3, 22: 2, 23: 1, 24: 1, 25: 1}
EXTRA_FIRST_MALE = ["Youssef", "Ilias", "Rayan", "Mohamed", "Adam", "Ayoub", "Emre", "Mehmet", "Bilal", "Hamza"]
EXTRA_FIRST_FEMALE = ["Amira", "Lina", "Elif", "Zeynep", "Nour", "Yasmina", "Selin", "Imane", "Aya", "Hiba"]
EXTRA_LAST = ["El Idrissi", "Amrani", "Yılmaz", "Demir", "Aydın", "Benali", "Bouzid", "Kaya", "Öztürk", "Çelik"]


def weights(options: dict) -> tuple[tuple, list[float]]:
    """(values, cumulative weights) for ``Generator.pick``: one bisect instead of ``random.choices``."""
    values = tuple(options)
    cumulative, total = [], 0.0
    for weight in options.values():
        total += weight
        cumulative.append(total)
    return values, cumulative


GENDER = weights({"m": 52, "f": 44, "x": 2, "u": 2})
REFERRER = weights({"organisation": 85, "parent": 10, "youth": 3, "other": 2})
WITHDRAWN_STAGE = weights({S.REGISTERED: 30, S.INTAKE: 40, S.AWAITING_OT: 15, S.INCLUDED: 15})
CLOSURE_REASON = weights({"goals_reached": 70, "moved": 10, "out_of_age_range": 10, "framework_ended": 10})
OFFENCE_COUNT = weights({1: 70, 2: 22, 3: 8})
OFFENCE_TYPE = weights(
    dict(zip([o["code"] for o in defaults.OFFENCE_TYPES], [20, 18, 14, 12, 10, 6, 8, 6, 6], strict=True))
)
PROPOSED_BY = weights({"youth": 60, "network": 25, "case_director": 15})
RECENT_ACTION_STATUS = weights({"done": 65, "running": 15, "planned": 10, "stopped": 10})
LOCATION_KIND = weights({"neutral": 55, "home": 20, "school": 15, "partner": 10})
KEPT = weights({"yes": 60, "partly": 25, "no": 15})
CONTACT_LAG = weights({(0, 6): 78, (7, 20): 14, (21, 45): 6, (46, 90): 2})

_UUID_MASK = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_UUID_V4 = (4 << 76) | (0x8000 << 48)
_new_object, _set_slot = object.__new__, object.__setattr__


def new_uuid(bits: int) -> uuid.UUID:
    """A version-4 UUID from 128 random bits, without uuid.UUID's argument checks (it is called millions of times)."""
    value = _new_object(uuid.UUID)
    _set_slot(value, "int", (bits & _UUID_MASK) | _UUID_V4)
    _set_slot(value, "is_safe", uuid.SafeUUID.unknown)
    return value


BENCH_PASSWORD = "bench-" + "synthetic"  # noqa: S105 — invented accounts on a benchmark database

DAY = timedelta(days=1)


@dataclass
class Spec:
    chains: int = 2
    cases: int = 100
    contacts_per_case: int = 10
    seed: int = 1
    today: date = field(default_factory=date.today)
    years: int = 10
    first_chain: int = 0  # names the chains from this one on (to add chains next to earlier ones)
    # (status, share) of the cases, largest share first; None: STATUS_MIX, a chain after years of work.
    status_mix: list[tuple[str, float]] | None = None


@dataclass
class ChainPlan:
    """What the generator keeps in memory about one chain while it writes its cases."""

    index: int
    chain_id: uuid.UUID
    name: str
    slug: str
    municipality: str
    postal_codes: list[str]
    age_min: int
    age_max: int
    follow_up_after_max_age: bool
    start: date
    n_cases: int
    obj: Chain | None = None
    organisations: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)  # id, name, kind
    coordinator: uuid.UUID | None = None
    strategist: uuid.UUID | None = None
    directors: list[uuid.UUID] = field(default_factory=list)
    ot_members: list[uuid.UUID] = field(default_factory=list)
    partners: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)  # user, organisation
    legal_basis: uuid.UUID | None = None
    ages: tuple = ((), ())
    held: list[tuple[datetime, uuid.UUID]] = field(default_factory=list)
    planned: tuple[datetime, uuid.UUID] | None = None
    positions: dict = field(default_factory=dict)


class Generator:
    def __init__(self, spec: Spec, sink, *, log: Callable[[str], None] | None = None):
        self.spec = spec
        self.sink = sink
        self.log = log or (lambda message: None)
        self.r = random.Random(spec.seed)  # noqa: S311 — reproducible invented data, no secrets
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = spec.today
        self.now = self.at(self.today, 8)
        self._ciphers: dict[str, str] = {}
        fake = _faker()
        fake.seed_instance(spec.seed)
        self.first_male = sorted({fake.first_name_male() for _ in range(1500)} | set(EXTRA_FIRST_MALE))
        self.first_female = sorted({fake.first_name_female() for _ in range(1500)} | set(EXTRA_FIRST_FEMALE))
        self.last_names = sorted({fake.last_name() for _ in range(3000)} | set(EXTRA_LAST))
        self.streets = sorted({fake.street_name() for _ in range(400)})
        self.password = _password_hash()
        self.stats = {"chains": 0, "cases": 0}
        self._intake_docs: list[str] = []
        self._closure_docs: list[str] = []
        self._contact_notes = [a + b for a in texts.CONTACT_NOTES for b in texts.CONTACT_NOTE_ADDITIONS]
        self._contact_ciphers: list[str] = []

    # --- small helpers --------------------------------------------------------------------------

    def uid(self) -> uuid.UUID:
        return new_uuid(self.r.getrandbits(128))

    def pick(self, options: tuple) -> Any:
        """One of ``options`` = (values, cumulative weights), e.g. made by ``weights``."""
        values, cumulative = options
        return values[bisect.bisect(cumulative, self.r.random() * cumulative[-1])]

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, dtime(hour, minute), tzinfo=self.tz)

    def cipher(self, text: str) -> str:
        """The stored form of ``text``: encrypted once per distinct text (see the module docstring)."""
        if not text:
            return ""
        stored = self._ciphers.get(text)
        if stored is None:
            stored = self._ciphers[text] = encrypt(text)
        return stored

    def pick_cipher(self, pool: list[str]) -> str:
        return self.cipher(self.r.choice(pool))

    def phone(self) -> str:
        r = self.r
        return f"04{r.choice('789')}{r.randint(0, 9)} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}"

    def person(self, gender: str | None = None) -> tuple[str, str, str]:
        gender = gender or self.r.choice("mf")
        first = self.r.choice(self.first_male if gender == "m" else self.first_female)
        return first, self.r.choice(self.last_names), gender

    def add(self, model, row: dict) -> None:
        self.sink.add(model, row)

    def adder(self, model) -> Callable[[dict], None]:
        """A fast ``add`` for one model (the sink's own when it has one)."""
        own = getattr(self.sink, "adder", None)
        return own(model) if own is not None else (lambda row: self.sink.add(model, row))

    def slugs(self) -> list[str]:
        return [chain_names(self.spec.first_chain + i)[3] for i in range(self.spec.chains)]

    # --- the run ------------------------------------------------------------------------------

    def run(self) -> dict:
        spec = self.spec
        weights = [1 / math.sqrt(i + 1) for i in range(spec.chains)]
        sizes = [int(spec.cases * w / sum(weights)) for w in weights]
        for i in range(spec.cases - sum(sizes)):
            sizes[i % spec.chains] += 1
        with translation.override("nl"):
            self._intake_docs = [
                self.cipher(json.dumps(self._intake_doc(), ensure_ascii=False, sort_keys=True)) for _ in range(150)
            ]
            self._closure_docs = [
                self.cipher(json.dumps(self._closure_doc(), ensure_ascii=False, sort_keys=True)) for _ in range(60)
            ]
            for index, size in enumerate(sizes):
                started = time.monotonic()
                plan = self._chain(spec.first_chain + index, size)
                self._cases(plan)
                self._intervision(plan)
                self.sink.flush()
                self.stats["chains"] += 1
                self.log(f"  chain {plan.name}: {size} cases in {time.monotonic() - started:.1f} s")
        return self.stats

    # --- chain, partners, staff, OT meetings ---------------------------------------------------------

    def _chain(self, index: int, n_cases: int) -> ChainPlan:
        r = self.r
        city, codes, suffix, slug = chain_names(index)
        youth_chain = index % 4 == 3  # like KOMPAS+: minors only, followed up past 18
        plan = ChainPlan(
            index=index,
            chain_id=self.uid(),
            name=f"Ketenaanpak {city}{suffix}",
            slug=slug,
            municipality=city,
            postal_codes=codes,
            age_min=12,
            age_max=18 if youth_chain else 25,
            follow_up_after_max_age=youth_chain,
            start=self.today - timedelta(days=365 * self.spec.years),
            n_cases=n_cases,
        )
        plan.ages = weights({a: w for a, w in AGE_WEIGHTS.items() if plan.age_min <= a <= plan.age_max})
        created = self.at(plan.start - timedelta(days=60), 9)
        row = {
            "id": plan.chain_id,
            "name": plan.name,
            "slug": slug,
            "municipality": city,
            "age_min": plan.age_min,
            "age_max": plan.age_max,
            "follow_up_after_max_age": plan.follow_up_after_max_age,
            "postal_codes": codes,
            "life_domains": [dict(d) for d in defaults.LIFE_DOMAINS],
            "glm_needs": [dict(d) for d in defaults.GLM_NEEDS],
            "offence_types": [dict(d) for d in defaults.OFFENCE_TYPES],
            "follow_up_cadence_days": 7,
            "out_of_view_days": 21,
            "playbook": dict(defaults.PLAYBOOK_FIX),
            "ot_event_kinds": ["new_offence", "arrest", "court_decision", "crisis"],
            "is_active": True,
            "created_at": created,
            "updated_at": created,
        }
        self.add(Chain, row)
        # An unsaved Chain for the eligibility messages (age range, postal codes).
        plan.obj = Chain(**{k: v for k, v in row.items() if k not in ("created_at", "updated_at")})

        town = f"{city}{suffix}"
        organisations = [
            (f"Politiezone {town}", OK.POLICE, True),
            (f"Parket — afdeling jeugd ({town})", OK.YOUTH_COURT, True),
            (f"OCMW {town}", OK.SOCIAL_SERVICES, True),
            (f"CAW {town}", OK.CAW, True),
            (f"CLB {town}", OK.SCHOOL, True),
            (f"Sint-Jozefscollege {town}", OK.SCHOOL, False),
            (f"Jeugdhulp {town}", OK.YOUTH_CARE, True),
            (f"CGG {town}", OK.MENTAL_HEALTH, True),
            (f"Jeugdhuis {town}", OK.YOUTH_WORK, True),
            (f"Stad {town} — Dienst Preventie", OK.MUNICIPALITY, True),
        ]
        ot_orgs = []
        for name, kind, in_ot in organisations:
            org_id = self.uid()
            domain = unicodedata.normalize("NFKD", name.split(" ")[0]).encode("ascii", "ignore").decode().lower()
            self.add(
                Organisation,
                {
                    "id": org_id,
                    "name": name,
                    "kind": kind,
                    "municipality": city,
                    "email": f"info@{domain}.{slug}.example",
                    "phone": self.phone(),
                    "is_active": True,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            self.add(
                ChainPartner,
                {
                    "id": self.uid(),
                    "chain_id": plan.chain_id,
                    "organisation_id": org_id,
                    "in_operational_team": in_ot,
                    "since": plan.start,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            plan.organisations.append((org_id, name, kind))
            if in_ot:
                ot_orgs.append(org_id)
        # A general practice in the networks, which is no partner of the chain.
        gp_id = self.uid()
        self.add(
            Organisation,
            {
                "id": gp_id,
                "name": f"Huisartsenpraktijk {r.choice(self.streets)} ({town})",
                "kind": OK.OTHER,
                "municipality": city,
                "is_active": True,
                "created_at": created,
                "updated_at": created,
            },
        )

        def account(role: str, label: str, organisation: uuid.UUID | None = None) -> uuid.UUID:
            user_id = self.uid()
            first, last, _gender = self.person()
            username = f"{slug}.{label}"
            self.add(
                User,
                {
                    "id": user_id,
                    "password": self.password,
                    "username": username,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@{slug}.example",
                    "phone": self.phone(),
                    "is_active": True,
                    "is_staff": False,
                    "is_superuser": False,
                    "date_joined": created,
                },
            )
            self.add(
                Membership,
                {
                    "id": self.uid(),
                    "user_id": user_id,
                    "chain_id": plan.chain_id,
                    "role": role,
                    "organisation_id": organisation,
                    "is_active": True,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            return user_id

        plan.coordinator = account(Role.OPERATIONAL_COORDINATOR, "coordinator")
        plan.strategist = account(Role.STRATEGIC_COORDINATOR, "strateeg")
        followed = n_cases * 0.095  # included and active at any time
        for n in range(max(2, math.ceil(followed / 30))):
            plan.directors.append(account(Role.CASE_DIRECTOR, f"regisseur{n + 1}"))
        for n, org_id in enumerate(ot_orgs):
            plan.ot_members.append(account(Role.OT_MEMBER, f"ot{n + 1}", org_id))
        for n, kind in enumerate((OK.SCHOOL, OK.CAW, OK.YOUTH_CARE)):
            org_id = next(o for o, _name, k in plan.organisations if k == kind)
            plan.partners.append((account(Role.PARTNER, f"partner{n + 1}", org_id), org_id))

        basis_id = self.uid()
        self.add(
            LegalBasis,
            {
                "id": basis_id,
                "chain_id": plan.chain_id,
                "kind": "decree",
                "reference": "Decreet van 30 juni 2023 — casusoverleg ketenaanpak (art. 458ter Sw.)",
                "dated": plan.start - timedelta(days=90),
                "valid_from": plan.start - timedelta(days=60),
                "purpose": "Casusoverleg in het operationeel team en netwerkoverleg rond jongeren in de "
                "ketenaanpak jeugddelinquentie, met het oog op hun welzijn en het voorkomen van nieuwe feiten.",
                "modalities": "Enkel informatie die nodig is voor het doel; gedeeld beroepsgeheim.",
                "authorised_functions": "Casusregisseurs, coördinatoren, vertegenwoordigers van de OT-partners",
                "created_at": created,
                "updated_at": created,
            },
        )
        for org_id, _name, _kind in plan.organisations:
            self.add(
                LegalBasis.authorised_organisations.through,
                {"legalbasis_id": basis_id, "organisation_id": org_id},
            )
        plan.legal_basis = basis_id
        self._ot_meetings(plan, town)
        return plan

    def _ot_meetings(self, plan: ChainPlan, town: str) -> None:
        """Meetings every four weeks, more often for a large chain (about 30 decisions a meeting)."""
        r = self.r
        period = (self.today - plan.start).days
        decided = plan.n_cases * 0.9
        interval = max(7, min(28, int(30 * period / max(decided, 1))))
        day = plan.start + timedelta(days=interval)
        while True:
            held = day < self.today
            meeting_id = self.uid()
            starts = self.at(day, 10)
            self.add(
                OTMeeting,
                {
                    "id": meeting_id,
                    "chain_id": plan.chain_id,
                    "starts_at": starts,
                    "location": f"Stadhuis {town}, zaal {r.randint(1, 3)}.{r.randint(10, 30)}",
                    "legal_basis_id": plan.legal_basis,
                    "status": "held" if held else "planned",
                    "notes": self.cipher("Dossiers besproken volgens de agenda.") if held else "",
                    "created_by_id": plan.coordinator,
                    "created_at": starts - timedelta(days=interval),
                    "updated_at": starts + timedelta(hours=3) if held else starts - timedelta(days=interval),
                },
            )
            members = plan.ot_members if not held else r.sample(plan.ot_members, k=max(1, len(plan.ot_members) - 2))
            for user_id in members:
                self.add(
                    OTAttendance,
                    {
                        "id": self.uid(),
                        "meeting_id": meeting_id,
                        "user_id": user_id,
                        "confidentiality_acknowledged_at": starts if held else None,
                        "present": held,
                    },
                )
            if held:
                plan.held.append((starts, meeting_id))
            else:
                plan.planned = (starts, meeting_id)
                break
            day += timedelta(days=interval)

    def _meeting_before(self, plan: ChainPlan, day: date) -> tuple[datetime, uuid.UUID] | None:
        i = bisect.bisect_right(plan.held, (self.at(day, 23), uuid.UUID(int=(1 << 128) - 1))) - 1
        return plan.held[i] if i >= 0 else None

    def _recent_meeting(self, plan: ChainPlan, oldest: date, newest: date) -> tuple[datetime, uuid.UUID] | None:
        """A held meeting between the two days, more often a recent one (the chain grows)."""
        lo = bisect.bisect_left(plan.held, (self.at(oldest, 0), uuid.UUID(int=0)))
        hi = bisect.bisect_right(plan.held, (self.at(newest, 23), uuid.UUID(int=(1 << 128) - 1)))
        if hi <= lo:
            return None
        return plan.held[lo + int((hi - lo) * math.sqrt(self.r.random()) * 0.9999)]

    # --- cases ----------------------------------------------------------------------------------

    def _statuses(self, n: int) -> list[str]:
        mix = self.spec.status_mix or STATUS_MIX
        counts = {status: int(n * share) for status, share in mix}
        if n >= len(mix) * 2:
            for status, _share in mix:
                counts[status] = max(counts[status], 1)
        while sum(counts.values()) > n:
            counts[mix[0][0]] -= 1
        rest = n - sum(counts.values())
        for i in range(rest):
            counts[mix[i % min(4, len(mix))][0]] += 1
        out = [status for status, count in counts.items() for _ in range(count)]
        self.r.shuffle(out)
        return out

    def _timeline(self, plan: ChainPlan, status: str) -> dict | None:
        """The days on which a case of ``status`` passed each step, ending on or before today."""
        r, today = self.r, self.today
        t: dict[str, Any] = {"status": status, "steps": []}
        steps: list[tuple[str, str, date]] = t["steps"]

        def history(latest: int) -> date:
            span = max(1, (today - plan.start).days - latest)
            return plan.start + timedelta(days=int(span * math.sqrt(r.random())))

        def before_meeting(meeting_at: datetime) -> None:
            m = meeting_at.date()
            t["awaiting"] = m - timedelta(days=r.randint(2, 25))
            t["intake_on"] = t["awaiting"] - timedelta(days=r.randint(1, 10))
            t["intake_start"] = t["intake_on"] - timedelta(days=r.randint(0, 7))
            t["registered"] = t["intake_start"] - timedelta(days=r.randint(1, 10))

        if status == S.REGISTERED:
            t["registered"] = today - timedelta(days=r.randint(0, 20))
        elif status == S.INTAKE:
            t["registered"] = today - timedelta(days=r.randint(4, 45))
            t["intake_start"] = t["registered"] + timedelta(days=r.randint(1, 3))
            if r.random() < 0.7:
                t["intake_on"] = min(today, t["intake_start"] + timedelta(days=r.randint(0, 7)))
                if r.random() < 0.3:
                    t["reflection_until"] = t["intake_on"] + timedelta(days=r.randint(3, 14))
        elif status == S.AWAITING_OT:
            t["registered"] = today - timedelta(days=r.randint(12, 50))
            t["intake_start"] = t["registered"] + timedelta(days=r.randint(1, 4))
            t["intake_on"] = t["intake_start"] + timedelta(days=r.randint(1, 5))
            t["awaiting"] = min(today, t["intake_on"] + timedelta(days=r.randint(1, 7)))
            t["meeting"] = plan.planned
        elif status in (S.INCLUDED, S.ACTIVE, S.CLOSED) or (status == S.NOT_INCLUDED and r.random() < 0.7):
            if status == S.INCLUDED:
                meeting = self._recent_meeting(plan, today - timedelta(days=35), today - DAY)
            elif status == S.ACTIVE:
                start = today - timedelta(days=r.randint(7, 540))
                meeting = self._meeting_before(plan, start - timedelta(days=r.randint(5, 20)))
                t["active"] = start
            elif status == S.CLOSED:
                meeting = self._recent_meeting(plan, plan.start, today - timedelta(days=200))
            else:
                meeting = self._recent_meeting(plan, plan.start, today - DAY)
            if meeting is None:
                meeting = plan.held[-1] if plan.held else None
            if meeting is None:
                return None
            t["meeting"] = meeting
            before_meeting(meeting[0])
            m = meeting[0].date()
            if status in (S.ACTIVE, S.CLOSED):
                if "active" not in t or t["active"] <= m:
                    t["active"] = min(today - DAY, m + timedelta(days=r.randint(7, 21)))
                t["informed"] = m + timedelta(days=r.randint(1, max(1, min(5, (t["active"] - m).days))))
            elif status == S.INCLUDED and r.random() < 0.5:
                t["informed"] = min(today, m + timedelta(days=r.randint(1, 5)))
            if status == S.CLOSED:
                t["closed"] = min(today - DAY, t["active"] + timedelta(days=r.randint(120, 600)))
                if t["closed"] <= t["active"]:
                    t["closed"] = t["active"] + DAY
        elif status == S.NOT_INCLUDED:  # decided by the coordinator before the OT (does not fit)
            t["registered"] = history(30)
            if r.random() < 0.5:
                t["intake_start"] = t["registered"] + timedelta(days=r.randint(1, 5))
            t["not_included"] = (t.get("intake_start") or t["registered"]) + timedelta(days=r.randint(1, 14))
        elif status == S.WITHDRAWN:
            stage = self.pick(WITHDRAWN_STAGE)
            t["stage"] = stage
            if stage == S.INCLUDED:
                meeting = self._recent_meeting(plan, plan.start, today - timedelta(days=14))
                if meeting is None:
                    stage = t["stage"] = S.REGISTERED
                else:
                    t["meeting"] = meeting
                    before_meeting(meeting[0])
                    t["withdrawn"] = meeting[0].date() + timedelta(days=r.randint(2, 12))
            if stage != S.INCLUDED:
                t["registered"] = history(20)
                last = t["registered"]
                if stage in (S.INTAKE, S.AWAITING_OT):
                    t["intake_start"] = last = last + timedelta(days=r.randint(1, 4))
                    t["intake_on"] = last = last + timedelta(days=r.randint(1, 5))
                if stage == S.AWAITING_OT:
                    t["awaiting"] = last = last + timedelta(days=r.randint(1, 7))
                t["withdrawn"] = last + timedelta(days=r.randint(1, 14))
            t["withdrawn"] = min(today, t["withdrawn"])

        # The steps, in order, with who took them (c: coordinator, d: case director).
        steps.append(("", S.REGISTERED, t["registered"]))
        if "intake_start" in t:
            steps.append((S.REGISTERED, S.INTAKE, t["intake_start"]))
        if "awaiting" in t:
            steps.append((S.INTAKE, S.AWAITING_OT, t["awaiting"]))
        if status in (S.INCLUDED, S.ACTIVE, S.CLOSED) or t.get("stage") == S.INCLUDED:
            steps.append((S.AWAITING_OT, S.INCLUDED, t["meeting"][0].date()))
        if "active" in t:
            steps.append((S.INCLUDED, S.ACTIVE, t["active"]))
        if "closed" in t:
            steps.append((S.ACTIVE, S.CLOSED, t["closed"]))
        if status == S.NOT_INCLUDED:
            if "meeting" in t:
                steps.append((S.AWAITING_OT, S.NOT_INCLUDED, t["meeting"][0].date()))
            else:
                steps.append((steps[-1][1], S.NOT_INCLUDED, t["not_included"]))
        if status == S.WITHDRAWN:
            steps.append((steps[-1][1], S.WITHDRAWN, t["withdrawn"]))
        return t

    def _cases(self, plan: ChainPlan) -> None:
        timelines = [t for t in (self._timeline(plan, s) for s in self._statuses(plan.n_cases)) if t is not None]
        timelines.sort(key=lambda t: t["registered"])
        # Contacts: spread over the days each case was followed, ``contacts_per_case`` on average.
        followed_days = 0
        for t in timelines:
            if "active" in t:
                t["followed_until"] = t.get("closed") or self.today
                followed_days += max(1, (t["followed_until"] - t["active"]).days)
        per_day = self.spec.contacts_per_case * len(timelines) / max(1, followed_days)
        numbers: dict[int, int] = {}
        prefix = (plan.slug.split("-")[0] or "K").upper()[:8]
        for t in timelines:
            year = t["registered"].year
            numbers[year] = numbers.get(year, 0) + 1
            t["reference"] = f"{prefix}-{year}-{numbers[year]:04d}"
            if "active" in t:
                expected = max(1, (t["followed_until"] - t["active"]).days) * per_day
                t["n_contacts"] = int(expected) + (self.r.random() < expected - int(expected))
        groups = self._offence_groups(plan, timelines)
        for t in timelines:
            self._case(plan, t, groups.get(id(t)))
        self.stats["cases"] += len(timelines)

    def _offence_groups(self, plan: ChainPlan, timelines: list[dict]) -> dict:
        """Every fiftieth case starts a group with the one or two cases registered after it."""
        out: dict = {}
        i = 0
        while i < len(timelines) - 3:
            if self.r.random() < 0.02:
                group_id = self.uid()
                members = timelines[i : i + self.r.randint(2, 3)]
                facts = min(m["registered"] for m in members) - timedelta(days=self.r.randint(5, 30))
                created = self.at(members[0]["registered"], 11)
                self.add(
                    OffenceGroup,
                    {
                        "id": group_id,
                        "chain_id": plan.chain_id,
                        "name": f"Feiten {self.r.choice(self.streets)} {facts:%m/%Y}",
                        "facts_on": facts,
                        "dynamics": self.pick_cipher(texts.GROUP_DYNAMICS),
                        "created_by_id": plan.coordinator,
                        "created_at": created,
                        "updated_at": created,
                    },
                )
                for n, member in enumerate(members):
                    out[id(member)] = (group_id, n)
                i += len(members)
            i += 1
        return out

    def _case(self, plan: ChainPlan, t: dict, group) -> None:  # noqa: C901 — one case, step by step
        r = self.r
        chain_id = plan.chain_id
        coordinator = plan.coordinator
        status = t["status"]
        registered: date = t["registered"]
        case_id = self.uid()
        youth_id = self.uid()

        # The youth
        gender = self.pick(GENDER)
        first, last, _g = self.person("m" if gender in "mu" else "f")
        age = self.pick(plan.ages)
        birth = registered - timedelta(days=365 * age + r.randint(age // 4 + 1, 364))
        while age_on(birth, registered) > age:  # leap days
            birth += DAY
        inside = r.random() < 0.93
        postal = r.choice(plan.postal_codes) if inside else r.choice(texts.OUTSIDE_POSTAL_CODES)
        strong_link = not inside and r.random() < 0.9  # the others were registered with an override
        explanation = r.choice(texts.STRONG_LINKS) if strong_link else ""
        created = self.at(registered, r.randint(9, 16), r.randint(0, 59))
        self.add(
            Youth,
            {
                "id": youth_id,
                "chain_id": chain_id,
                "first_name": first,
                "last_name": last,
                "birth_date": birth,
                "gender": gender,
                "postal_code": postal,
                "municipality": plan.municipality if inside else "Elders",
                "strong_link": strong_link,
                "strong_link_explanation": explanation,
                "search_name": search_key(first, last),
                "created_at": created,
                "updated_at": created,
            },
        )
        minor = age_on(birth, registered) < 18
        criteria = check_eligibility(
            chain=plan.obj,  # type: ignore[arg-type]
            on=registered,
            birth_date=birth,
            postal_code=postal,
            strong_link=strong_link,
            strong_link_explanation=explanation,
            has_offence=True,
            has_multi_problem=True,
        )
        failing = [c for c in criteria if not c.passed]
        override = r.choice(texts.OVERRIDE_REASONS) if failing else ""

        # Referrer, consult
        org_ids = [o for o, _n, _k in plan.organisations]
        police = plan.organisations[0][0]
        referrer_kind = self.pick(REFERRER)
        referrer_org = (police if r.random() < 0.5 else r.choice(org_ids)) if referrer_kind == "organisation" else None
        referrer_name = {
            "organisation": r.choice(["Inspecteur jeugd", "Leerlingbegeleider", "Maatschappelijk werker"]),
            "parent": "Moeder van de jongere",
            "youth": f"{first} {last}",
            "other": "Buurtwerker",
        }[referrer_kind]
        consult_id = None
        if r.random() < 0.35:
            consult_id = self.uid()
            consulted = registered - timedelta(days=r.randint(1, 20))
            consult_at = self.at(consulted, 10)
            self.add(
                Consult,
                {
                    "id": consult_id,
                    "chain_id": chain_id,
                    "referrer_kind": referrer_kind,
                    "referrer_organisation_id": referrer_org,
                    "referrer_name": referrer_name,
                    "channel": r.choice(["phone", "on_site", "email", "online"]),
                    "consulted_on": consulted,
                    "summary": self.pick_cipher(texts.CONSULT_SUMMARIES),
                    "youth_initials": f"{first[0]}.{last[0]}.",
                    "youth_age": age_on(birth, consulted),
                    "youth_postal_code": postal,
                    "has_offence": True,
                    "has_multi_problem": True,
                    "outcome": "fits",
                    "created_by_id": coordinator,
                    "created_at": consult_at,
                    "updated_at": consult_at,
                },
            )
            if r.random() < 0.15:  # and now and then a question that does not fit
                other_day = consulted - timedelta(days=r.randint(1, 60))
                other_at = self.at(max(plan.start, other_day), 11)
                self.add(
                    Consult,
                    {
                        "id": self.uid(),
                        "chain_id": chain_id,
                        "referrer_kind": "parent",
                        "referrer_name": "Ouder",
                        "channel": "phone",
                        "consulted_on": other_at.date(),
                        "summary": self.cipher("Zoon van 11 jaar speelt veel buiten, nog geen feiten bekend."),
                        "youth_age": 11,
                        "has_offence": False,
                        "has_multi_problem": False,
                        "outcome": "does_not_fit",
                        "advice": self.pick_cipher(texts.CONSULT_ADVICE),
                        "created_by_id": coordinator,
                        "created_at": other_at,
                        "updated_at": other_at,
                    },
                )

        # Case director, decision, start, closure
        trajectory = status in (S.INCLUDED, S.ACTIVE, S.CLOSED) or t.get("stage") == S.INCLUDED
        director = r.choice(plan.directors) if trajectory else None
        meeting = t.get("meeting")
        decided = meeting is not None and meeting != plan.planned
        informed = t.get("informed")
        trusted_first, trusted_last, _tg = self.person()
        trusted = f"{trusted_first} {trusted_last}" if "active" in t else ""
        steps = t["steps"]
        last_step = steps[-1][2]
        recontact = None
        if status == S.NOT_INCLUDED and (self.today - last_step).days < 180 and r.random() < 0.35:
            recontact = last_step + timedelta(days=r.randint(30, 120))
        flagged = status == S.ACTIVE and r.random() < 0.004 and plan.planned is not None  # a few per OT meeting
        flag_reason = "Nieuw feit: betrokken bij een vechtpartij." if flagged else ""
        closure_reason = ""
        if status == S.CLOSED:
            closure_reason = self.pick(CLOSURE_REASON)
        case_updated = self.at(last_step, 15)
        self.add(
            Case,
            {
                "id": case_id,
                "chain_id": chain_id,
                "youth_id": youth_id,
                "reference": t["reference"],
                "status": status,
                "version": len(steps) + (1 if informed else 0) + (1 if director else 0),
                "framework": "imposed" if r.random() < 0.25 else "voluntary",
                "referrer_kind": referrer_kind,
                "referrer_organisation_id": referrer_org,
                "referrer_name": referrer_name,
                "referrer_contact": self.phone() if r.random() < 0.5 else "",
                "registered_on": registered,
                "youth_informed_on": registered - timedelta(days=r.randint(0, 5)),
                "parents_informed_on": registered - timedelta(days=r.randint(0, 5)) if minor else None,
                "concerns": self.pick_cipher(texts.CONCERNS),
                "multi_problem": self.cipher(
                    ", ".join(r.sample(texts.MULTI_PROBLEM_PARTS, r.randint(2, 4))).capitalize() + "."
                ),
                "eligibility": [{"code": c.code, "status": c.status, "message": c.message} for c in criteria],
                "eligibility_override_reason": override,
                "eligibility_overridden_by_id": coordinator if failing else None,
                "consult_id": consult_id,
                "case_director_id": director,
                "trusted_person_name": trusted,
                "trusted_person_contact": self.phone() if trusted else "",
                "first_guideline": self.pick_cipher(texts.GUIDELINES) if trajectory and decided else "",
                "referrer_informed_on": informed,
                "youth_informed_of_decision_on": informed,
                "first_conversation_on": t.get("active"),
                "reflection_until": t.get("reflection_until"),
                "recontact_on": recontact,
                "not_included_advice": self.pick_cipher(texts.ADVICE_NOT_INCLUDED) if status == S.NOT_INCLUDED else "",
                "flagged_for_ot": flagged,
                "flag_reason": flag_reason,
                "closure_reason": closure_reason,
                "closure_summary": r.choice(self._closure_docs) if status == S.CLOSED else "",
                "closed_on": t.get("closed"),
                "created_by_id": coordinator,
                "created_at": created,
                "updated_at": case_updated,
            },
        )
        self.stats[status] = self.stats.get(status, 0) + 1

        # Transitions
        withdrawal_reason = r.choice(texts.WITHDRAWAL_REASONS)
        for source, target, day in steps:
            actor = director if target in (S.ACTIVE, S.CLOSED) and director else coordinator
            reason = ""
            if target == S.REGISTERED:
                reason = override
            elif target == S.WITHDRAWN:
                reason = withdrawal_reason
            elif target == S.NOT_INCLUDED and "meeting" not in t:
                reason = r.choice(texts.ADVICE_NOT_INCLUDED)
            when = self.at(day, 10 if target in (S.INCLUDED, S.NOT_INCLUDED) and meeting else 14, r.randint(0, 59))
            if target == S.REGISTERED:
                when = created
            self.add(
                CaseTransition,
                {
                    "case_id": case_id,
                    "from_status": source,
                    "to_status": target,
                    "actor_id": actor,
                    "reason": self.cipher(reason),
                    "occurred_at": when,
                },
            )

        # Guardians and offences
        guardians = []
        if minor or r.random() < 0.2:
            for relation in r.sample(["mother", "father", "guardian"], 1 if r.random() < 0.55 else 2):
                g_first = r.choice(self.first_female if relation == "mother" else self.first_male)
                name = f"{g_first} {last}"
                guardians.append(name)
                self.add(
                    Guardian,
                    {
                        "id": self.uid(),
                        "case_id": case_id,
                        "name": name,
                        "relation": relation,
                        "phone": self.phone(),
                    },
                )
        for n in range(self.pick(OFFENCE_COUNT)):
            self.add(
                Offence,
                {
                    "id": self.uid(),
                    "case_id": case_id,
                    "offence_type": self.pick(OFFENCE_TYPE),
                    "committed_on": registered - timedelta(days=r.randint(5, 120)),
                    "description": self.pick_cipher(texts.OFFENCE_DESCRIPTIONS),
                    "in_group": group is not None and n == 0,
                },
            )
        if group is not None:
            group_id, n = group
            self.add(
                OffenceGroupMember,
                {
                    "id": self.uid(),
                    "group_id": group_id,
                    "case_id": case_id,
                    "position": "leader" if n == 0 else r.choice(["core", "follower", "peripheral"]),
                    "influence": "high" if n == 0 else r.choice(["medium", "low", "unknown"]),
                },
            )

        # Intake and consents
        intake_on = t.get("intake_on")
        if intake_on is not None:
            intake_at = self.at(intake_on, 16)
            self.add(
                Intake,
                {
                    "id": self.uid(),
                    "case_id": case_id,
                    "intake_on": intake_on,
                    "domains": r.choice(self._intake_docs),
                    "glm_needs": r.sample([d["code"] for d in defaults.GLM_NEEDS], r.randint(1, 3)),
                    "youth_words": self.pick_cipher(texts.YOUTH_WORDS),
                    "version": 1,
                    "updated_by_id": coordinator,
                    "created_at": intake_at,
                    "updated_at": intake_at,
                },
            )
        if "awaiting" in t:
            self._consents(plan, t, case_id, f"{first} {last}", guardians, birth)

        # OT agenda items
        if meeting is not None:
            meeting_at, meeting_id = meeting
            include = status in (S.INCLUDED, S.ACTIVE, S.CLOSED) or t.get("stage") == S.INCLUDED
            position = plan.positions.get(meeting_id, 0)
            plan.positions[meeting_id] = position + 1
            self.add(
                OTAgendaItem,
                {
                    "id": self.uid(),
                    "meeting_id": meeting_id,
                    "case_id": case_id,
                    "kind": "new",
                    "position": position,
                    "decision": ("include" if include else "not_include") if decided else "",
                    "decided_at": meeting_at + timedelta(hours=1, minutes=r.randint(0, 90)) if decided else None,
                    "decided_by_id": coordinator if decided else None,
                    "chosen_case_director_id": director if decided and include else None,
                    "guideline": self.pick_cipher(texts.GUIDELINES) if decided and include else "",
                    "subsidiarity": self.pick_cipher(texts.SUBSIDIARITY) if decided and include else "",
                    "advice": self.pick_cipher(texts.ADVICE_NOT_INCLUDED) if decided and not include else "",
                    "recontact_on": recontact if decided and not include else None,
                    "version": 2 if decided else 1,
                },
            )
        if flagged and plan.planned is not None:
            planned_at, planned_id = plan.planned
            position = plan.positions.get(planned_id, 0)
            plan.positions[planned_id] = position + 1
            self.add(
                OTAgendaItem,
                {
                    "id": self.uid(),
                    "meeting_id": planned_id,
                    "case_id": case_id,
                    "kind": "flagged",
                    "flag_reason": flag_reason,
                    "position": position,
                },
            )
            event_day = self.today - timedelta(days=r.randint(1, 10))
            event_at = self.at(event_day, 17)
            self.add(
                MajorEvent,
                {
                    "id": self.uid(),
                    "case_id": case_id,
                    "kind": "new_offence",
                    "occurred_on": event_day,
                    "description": self.pick_cipher(texts.EVENT_DESCRIPTIONS["new_offence"]),
                    "flagged_for_ot": True,
                    "created_by_id": director or coordinator,
                    "created_at": event_at,
                    "updated_at": event_at,
                },
            )

        if "active" in t and director is not None:
            self._trajectory(plan, t, case_id, director, f"{first} {last}", last, trusted)

    def _consents(self, plan: ChainPlan, t: dict, case_id, youth_name: str, guardians: list[str], birth) -> None:
        r = self.r
        signed: date = t.get("intake_on") or t["awaiting"]
        withdrawn_on = t.get("withdrawn") if t["status"] == S.WITHDRAWN and r.random() < 0.5 else None
        org_ids = [o for o, _n, k in plan.organisations]
        domains = [d["code"] for d in defaults.LIFE_DOMAINS]
        followed_open = t["status"] in (S.INCLUDED, S.ACTIVE)

        def consent(kind: str, given_by: str, name: str, day: date, *, organisations=(), life_domains=()) -> None:
            consent_id = self.uid()
            self.add(
                Consent,
                {
                    "id": consent_id,
                    "case_id": case_id,
                    "kind": kind,
                    "given_by": given_by,
                    "given_by_name": name,
                    "signed_on": day,
                    "valid_until": day + timedelta(days=730),
                    "life_domains": list(life_domains),
                    "withdrawn_on": withdrawn_on if kind in ("ot_discussion", "sharing") else None,
                    "withdrawal_note": "De jongere trekt de toestemming in." if withdrawn_on else "",
                    "recorded_by_id": plan.coordinator,
                    "created_at": self.at(day, 17),
                    "updated_at": self.at(day, 17),
                },
            )
            for org_id in organisations:
                self.add(Consent.organisations.through, {"consent_id": consent_id, "organisation_id": org_id})

        def youth_consents(day: date) -> None:
            consent("ot_discussion", "youth", youth_name, day)
            consent(
                "sharing",
                "youth",
                youth_name,
                day,
                organisations=r.sample(org_ids, r.randint(2, 5)),
                life_domains=r.sample(domains, r.randint(2, 4)),
            )

        youth_consents(signed)
        if age_on(birth, signed) < 18:
            consent("parental", "parent", guardians[0] if guardians else "Ouder van de jongere", signed)
            consent("engagement", "youth", youth_name, signed)
            eighteen = birth.replace(year=birth.year + 18) if (birth.month, birth.day) != (2, 29) else None
            eighteen = eighteen or date(birth.year + 18, 3, 1)
            if followed_open and eighteen <= self.today and r.random() < 0.75:
                youth_consents(min(self.today, eighteen + timedelta(days=r.randint(0, 30))))
                return
        if followed_open and signed + timedelta(days=700) <= self.today and r.random() < 0.85:
            youth_consents(signed + timedelta(days=r.randint(680, 720)))

    # --- the trajectory: network, plan, meetings, contacts --------------------------------------

    def _trajectory(self, plan, t, case_id, director, youth_name: str, last_name: str, trusted: str) -> None:  # noqa: C901
        r, today = self.r, self.today
        active: date = t["active"]
        until: date = t["followed_until"]
        closed = t["status"] == S.CLOSED
        since = t["registered"]
        created = self.at(active, 12)
        domain_codes = [d["code"] for d in defaults.LIFE_DOMAINS]

        # Network: family and friends (one of them the trusted person), professionals of the partners.
        members: list[tuple[uuid.UUID, str, str, bool]] = []  # id, name, kind, is_trusted
        informal = r.sample(texts.INFORMAL_ROLES, r.randint(2, 4))
        trusted_at = r.randrange(len(informal)) if trusted else -1
        for n, (role, domain, support) in enumerate(informal):
            is_trusted = n == trusted_at
            if is_trusted:
                name = trusted
            elif role in ("Moeder", "Vader", "Grootmoeder", "Oom", "Zus", "Broer"):
                pool = self.first_female if role in ("Moeder", "Grootmoeder", "Zus") else self.first_male
                name = f"{r.choice(pool)} {last_name}"
            else:
                first, last, _g = self.person()
                name = f"{first} {last}"
            member_id = self.uid()
            members.append((member_id, name, "informal", is_trusted))
            self.add(
                NetworkMember,
                {
                    "id": member_id,
                    "case_id": case_id,
                    "kind": "informal",
                    "name": name,
                    "role": role,
                    "phone": self.phone(),
                    "is_support_figure": support or is_trusted,
                    "is_trusted_person": is_trusted,
                    "youth_agreed": True,
                    "life_domains": [domain],
                    "since": since,
                    "notes": self.pick_cipher(texts.NETWORK_NOTES),
                    "created_at": created,
                    "updated_at": created,
                },
            )
        partner_by_org = {org: user for user, org in plan.partners}
        by_kind: dict[str, list] = {}
        for org_id, _org_name, kind in plan.organisations:
            by_kind.setdefault(kind, []).append(org_id)
        for role, kind, domain in r.sample(texts.FORMAL_ROLES, r.randint(1, 3)):
            org_id = r.choice(by_kind.get(kind) or [plan.organisations[0][0]])
            first, last, _g = self.person()
            member_id = self.uid()
            account = partner_by_org.get(org_id) if r.random() < 0.3 else None
            members.append((member_id, f"{first} {last}", "formal", False))
            self.add(
                NetworkMember,
                {
                    "id": member_id,
                    "case_id": case_id,
                    "kind": "formal",
                    "name": f"{first} {last}",
                    "role": role,
                    "organisation_id": org_id,
                    "user_id": account,
                    "phone": self.phone(),
                    "email": f"{ascii_name(first)}.{ascii_name(last)}@{kind.replace('_', '')}.example",
                    "youth_agreed": True,
                    "life_domains": [domain],
                    "since": active,
                    "created_at": created,
                    "updated_at": created,
                },
            )

        # Network meetings: the first one makes the plan, then one every two to four months.
        meetings: list[tuple[date, uuid.UUID]] = []
        first_meeting = active + timedelta(days=r.randint(7, 28))
        day = first_meeting
        while day <= until and day < today:
            meetings.append((day, self.uid()))
            day += timedelta(days=r.randint(60, 120))
        planned = None
        if not closed and r.random() < 0.6:
            planned = (max(day, today + DAY) if day > today else today + timedelta(days=r.randint(1, 60)), self.uid())
        # Now and then the plan of a recent first meeting is not written down yet (a "no plan" signal).
        has_plan = bool(meetings) and ((today - meetings[0][0]).days > 45 or r.random() < 0.8)
        if not has_plan:
            meetings = meetings[:1]

        action_rows: list[dict] = []
        plan_domains: list[tuple[uuid.UUID, str]] = []
        if has_plan:
            plan_id = self.uid()
            source_meeting = meetings[0][1]
            made_at = self.at(meetings[0][0], 16)
            n_versions = 1 + min(2, len(meetings) - 1)
            self.add(
                Plan,
                {
                    "id": plan_id,
                    "case_id": case_id,
                    "version": n_versions,
                    "updated_by_id": director,
                    "created_at": made_at,
                    "updated_at": self.at(meetings[n_versions - 1][0], 16),
                },
            )
            snapshot_domains = []
            member_names = {m[0]: m[1] for m in members}
            org_names = {o: name for o, name, _k in plan.organisations}
            for position, code in enumerate(r.sample(domain_codes, r.randint(2, 4))):
                domain_id = self.uid()
                plan_domains.append((domain_id, code))
                situation = r.choice(texts.INTAKE_SITUATIONS[code])
                strengths = r.choice(texts.STRENGTHS)
                risks = r.choice(texts.RISKS)
                needs = r.sample([d["code"] for d in defaults.GLM_NEEDS], r.randint(1, 2))
                self.add(
                    PlanDomain,
                    {
                        "id": domain_id,
                        "plan_id": plan_id,
                        "domain": code,
                        "situation": self.cipher(situation),
                        "strengths": self.cipher(strengths),
                        "risks": self.cipher(risks),
                        "glm_needs": needs,
                        "position": position,
                    },
                )
                snapshot_goals = []
                for g_position in range(1 if r.random() < 0.65 else 2):
                    goal_id = self.uid()
                    text = r.choice(texts.GOALS[code])
                    result = r.choice(texts.INTENDED_RESULTS)
                    proposed = self.pick(PROPOSED_BY)
                    self.add(
                        Goal,
                        {
                            "id": goal_id,
                            "plan_domain_id": domain_id,
                            "text": self.cipher(text),
                            "proposed_by": proposed,
                            "intended_result": self.cipher(result),
                            "youth_agreed": True,
                            "position": g_position,
                        },
                    )
                    snapshot_actions = []
                    for a_position in range(r.randint(1, 3)):
                        action_id = self.uid()
                        due = meetings[0][0] + timedelta(days=r.randint(14, 150))
                        if closed or due < today - timedelta(days=60):  # by now the plan was updated
                            status = "done" if r.random() < 0.8 else "stopped"
                        elif due < today:
                            status = self.pick(RECENT_ACTION_STATUS)
                        else:
                            status = r.choice(["planned", "running"])
                        by_member = r.random() < 0.6
                        member = r.choice(members)[0] if by_member else None
                        org = None if by_member else r.choice(plan.organisations)[0]
                        what = r.choice(texts.ACTIONS)
                        note = r.choice(texts.ACTION_NOTES)
                        row = {
                            "id": action_id,
                            "goal_id": goal_id,
                            "case_id": case_id,
                            "what": self.cipher(what),
                            "responsible_member_id": member,
                            "responsible_organisation_id": org,
                            "due_on": due,
                            "status": status,
                            "note": self.cipher(note),
                            "position": a_position,
                            "source_meeting_id": source_meeting,
                        }
                        self.add(Action, row)
                        action_rows.append(row)
                        snapshot_actions.append(
                            {
                                "id": str(action_id),
                                "what": what,
                                "status": status,
                                "note": note,
                                "due_on": due.isoformat(),
                                "responsible": member_names[member] if member else org_names[org],
                                "responsible_member": str(member) if member else None,
                                "responsible_organisation": str(org) if org else None,
                            }
                        )
                    snapshot_goals.append(
                        {
                            "id": str(goal_id),
                            "text": text,
                            "proposed_by": proposed,
                            "intended_result": result,
                            "youth_agreed": True,
                            "actions": snapshot_actions,
                        }
                    )
                snapshot_domains.append(
                    {
                        "domain": code,
                        "situation": situation,
                        "strengths": strengths,
                        "risks": risks,
                        "glm_needs": needs,
                        "goals": snapshot_goals,
                    }
                )
            # Every version stores the current plan (one encryption per plan, see the module docstring).
            snapshot = encrypt(json.dumps({"domains": snapshot_domains}, ensure_ascii=False, sort_keys=True))
            for number in range(1, n_versions + 1):
                changes = [d["domain"] for d in snapshot_domains] if number == 1 else ["plan › action › status"]
                self.add(
                    PlanVersion,
                    {
                        "plan_id": plan_id,
                        "number": number,
                        "snapshot": snapshot,
                        "changes": changes,
                        "created_by_id": director,
                        "created_at": self.at(meetings[number - 1][0], 16, 30),
                    },
                )

        location_names = {
            "neutral": f"Stadhuis {plan.municipality}, zaal 0.{r.randint(1, 9)}",
            "home": "Bij de jongere thuis",
            "school": f"CLB {plan.municipality}",
            "partner": f"CAW {plan.municipality}",
        }
        for n, (day, meeting_id) in enumerate(meetings + ([planned] if planned else [])):
            held = day < today
            kind = "fix" if n == 0 or r.random() < 0.85 else "ad_hoc"
            starts = self.at(day, r.choice([14, 15, 16]))
            location_kind = self.pick(LOCATION_KIND)
            invited = r.sample(members, min(len(members), r.randint(2, 4)))
            self.add(
                NetworkMeeting,
                {
                    "id": meeting_id,
                    "case_id": case_id,
                    "kind": kind,
                    "starts_at": starts,
                    "duration_minutes": 90,
                    "location_kind": location_kind,
                    "location": location_names[location_kind],
                    "agenda": self.cipher(texts.MEETING_AGENDAS[0 if n == 0 else r.randint(1, 3)]),
                    "legal_basis_id": plan.legal_basis,
                    "status": "held" if held else "planned",
                    "youth_attended": held,
                    "minutes": self.pick_cipher(texts.MEETING_MINUTES) if held else "",
                    "information_shared": self.pick_cipher(texts.SHARED_INFO) if held else "",
                    "cooperation": self.pick_cipher(texts.COOPERATION) if held else "",
                    "held_at": starts + timedelta(minutes=90) if held else None,
                    "created_by_id": director,
                    "created_at": starts - timedelta(days=14),
                    "updated_at": starts + timedelta(minutes=100) if held else starts - timedelta(days=14),
                },
            )
            for member_id, _name, _kind, _trusted in invited:
                self.add(
                    NetworkMeeting.invitees.through,
                    {"networkmeeting_id": meeting_id, "networkmember_id": member_id},
                )
            if not held:
                continue
            self.add(
                MeetingAttendance,
                {"id": self.uid(), "meeting_id": meeting_id, "is_youth": True, "name": youth_name},
            )
            for member_id, name, kind_, _trusted in invited:
                if r.random() < 0.85:
                    self.add(
                        MeetingAttendance,
                        {
                            "id": self.uid(),
                            "meeting_id": meeting_id,
                            "member_id": member_id,
                            "name": name,
                            "is_professional": kind_ == "formal",
                            "confidentiality_acknowledged_at": starts if kind_ == "formal" else None,
                        },
                    )
            # Evaluated: progress per plan domain and every agreement due by then (a few recent ones not yet).
            if not plan_domains or (n == len(meetings) - 1 and not closed and r.random() < 0.05):
                continue
            for _domain_id, code in plan_domains:
                self.add(
                    DomainProgress,
                    {
                        "id": self.uid(),
                        "meeting_id": meeting_id,
                        "case_id": case_id,
                        "domain": code,
                        "score": min(5, max(1, 2 + n // 2 + r.randint(-1, 1))),
                        "note": self.pick_cipher(texts.PROGRESS_NOTES),
                    },
                )
            if n > 0:  # each agreement once, at the first meeting after its due date
                previous_day = meetings[n - 1][0]
                for action in action_rows:
                    if previous_day < action["due_on"] <= day:
                        self.add(
                            ActionEvaluation,
                            {
                                "id": self.uid(),
                                "meeting_id": meeting_id,
                                "action_id": action["id"],
                                "kept": self.pick(KEPT),
                                "realistic": r.random() < 0.85,
                                "note": self.pick_cipher(texts.EVALUATION_NOTES),
                            },
                        )

        self._contacts(t, case_id, director, members, [c for _i, c in plan_domains] or domain_codes[:2])

        if not closed and r.random() < 0.05:
            self.add(
                CaseCadence,
                {
                    "case_id": case_id,
                    "days": r.choice([3, 14]),
                    "reason": r.choice(texts.CADENCE_REASONS),
                    "set_by_id": director,
                    "set_at": self.at(active + timedelta(days=r.randint(0, max(0, (until - active).days))), 12),
                },
            )
        if r.random() < 0.15:
            kind = r.choice(["move", "school_dropout", "other"])
            day = active + timedelta(days=r.randint(0, max(0, (until - active).days)))
            at = self.at(day, 18)
            self.add(
                MajorEvent,
                {
                    "id": self.uid(),
                    "case_id": case_id,
                    "kind": kind,
                    "occurred_on": day,
                    "description": self.pick_cipher(texts.EVENT_DESCRIPTIONS[kind]),
                    "created_by_id": director,
                    "created_at": at,
                    "updated_at": at,
                },
            )

    def _contacts(self, t: dict, case_id, director, members: list, domains: list[str]) -> None:
        """Roughly weekly contacts; most recent for most cases, some behind, some youths out of view."""
        r = self.r
        n = t.get("n_contacts", 0)
        if not n:
            return
        start: date = t["active"]
        end: date = t["followed_until"]
        if t["status"] == S.ACTIVE:
            lag = self.pick(CONTACT_LAG)
            end = max(start, end - timedelta(days=r.randint(*lag)))
        days = max(0, (end - start).days)
        unreached_from = end - timedelta(days=r.randint(25, 60)) if r.random() < 0.05 else None
        network = [m for m in members if m[2] == "formal"] or members
        trusted = next((m for m in members if m[3]), None)
        random_, bits = r.random, r.getrandbits
        offsets = sorted(int(days * random_()) for _ in range(n - 1)) + [days]
        add = self.adder(FollowUpContact)
        channels = ("face_to_face", "home_visit", "phone", "message", "video")
        notes = self._contact_ciphers or [self.cipher(text) for text in self._contact_notes]
        self._contact_ciphers = notes
        n_notes, n_domains, n_network = len(notes), len(domains), len(network)
        midnight = datetime.combine(start, dtime(0), tzinfo=self.tz)  # + local clock time, DST-safe
        for offset in offsets:
            day = start + timedelta(days=offset)
            at = midnight + timedelta(days=offset, minutes=540 + int(random_() * 660))
            x = random_()
            if x < 0.6:
                whom, member = "youth", None
            elif x < 0.75:
                whom, member = ("trusted_person", None) if trusted else ("youth", None)
            elif x < 0.88:
                whom, member = "parent", None
            else:
                whom, member = "network_member", network[int(random_() * n_network)][0]
            reached = random_() < 0.85
            if whom == "youth" and unreached_from is not None and day > unreached_from:
                reached = False
            if offset == days and unreached_from is None:
                whom, member, reached = "youth", None, True
            add(
                {
                    "id": new_uuid(bits(128)),
                    "case_id": case_id,
                    "contact_at": at,
                    "with_whom": whom,
                    "network_member_id": member,
                    "channel": channels[int(random_() * 5)],
                    "reached": reached,
                    "note": notes[int(random_() * n_notes)] if random_() < 0.6 else "",
                    "life_domains": [domains[int(random_() * n_domains)]] if random_() < 0.5 else [],
                    "positive_development": random_() < 0.12,
                    "created_by_id": director,
                    "created_at": at + timedelta(minutes=int(random_() * 180)),
                    "updated_at": at,
                }
            )

    # --- intervision ----------------------------------------------------------------------------

    def _intervision(self, plan: ChainPlan) -> None:
        """Weekly team meetings over the last twelve weeks (no advice rows for past ones: kept light)."""
        day = self.today - timedelta(days=(self.today.weekday() - 1) % 7 or 7)
        for _week in range(12):
            at = self.at(day, 13)
            self.add(
                IntervisionSession,
                {
                    "id": self.uid(),
                    "chain_id": plan.chain_id,
                    "held_on": day,
                    "created_by_id": plan.coordinator,
                    "created_at": at,
                    "updated_at": at,
                },
            )
            day -= timedelta(days=7)

    # --- encrypted documents ----------------------------------------------------------------------

    def _intake_doc(self) -> dict:
        r = self.r
        doc = {}
        for code in r.sample([d["code"] for d in defaults.LIFE_DOMAINS], r.randint(2, 4)):
            doc[code] = {
                "situation": r.choice(texts.INTAKE_SITUATIONS[code]),
                "strengths": r.choice(texts.STRENGTHS),
                "risks": r.choice(texts.RISKS),
            }
        return doc

    def _closure_doc(self) -> dict:
        r = self.r
        codes = r.sample(list(texts.CLOSURE_SUMMARIES), r.randint(1, 3))
        return {code: r.choice(texts.CLOSURE_SUMMARIES[code]) for code in codes}


@lru_cache(maxsize=1)
def _faker():
    from faker import Faker

    return Faker("nl_BE")


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """One hash for every invented account (hashing is slow on purpose); they log in with BENCH_PASSWORD."""
    return make_password(BENCH_PASSWORD)


def chain_names(index: int) -> tuple[str, list[str], str, str]:
    """(municipality, postal codes, name suffix, slug) of the ``index``-th synthetic chain."""
    city, codes = texts.MUNICIPALITIES[index % len(texts.MUNICIPALITIES)]
    round_ = index // len(texts.MUNICIPALITIES)
    suffix = f" {round_ + 1}" if round_ else ""
    return city, codes, suffix, ascii_name(city) + (str(round_ + 1) if round_ else "")


def ascii_name(text: str) -> str:
    """``text`` as lower-case ASCII letters only (for invented e-mail addresses)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in plain if ch.isalnum())


def generate(spec: Spec, sink, *, log: Callable[[str], None] | None = None) -> dict:
    """Generate ``spec`` into ``sink`` (a bulk.Sink, or anything with ``add(model, row)`` and ``flush()``)."""
    return Generator(spec, sink, log=log).run()


def table_names() -> list[str]:
    return [m._meta.db_table for m in MODELS]
