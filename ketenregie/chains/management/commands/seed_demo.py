"""Demo data: two chains, Flemish partner organisations, one account per role (password "demo")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from ketenregie.accounts.enums import OrganisationKind as K
from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import ChainPartner, Membership, Organisation, User
from ketenregie.chains.models import Chain

ORGANISATIONS = [
    ("Politiezone CARMA", K.POLICE, "Genk"),
    ("Parket Limburg — afdeling jeugd", K.YOUTH_COURT, "Hasselt"),
    ("OCMW Genk", K.SOCIAL_SERVICES, "Genk"),
    ("CAW Limburg", K.CAW, "Genk"),
    ("CLB GO! Genk", K.SCHOOL, "Genk"),
    ("Sint-Jan Berchmanscollege Genk", K.SCHOOL, "Genk"),
    ("Ondersteuningscentrum Jeugdzorg Limburg", K.YOUTH_CARE, "Hasselt"),
    ("CGG LITP", K.MENTAL_HEALTH, "Genk"),
    ("Jeugdwerk Genk — Jeugdhuis Kompas", K.YOUTH_WORK, "Genk"),
    ("Stad Genk — Dienst Preventie", K.MUNICIPALITY, "Genk"),
    ("Politiezone Antwerpen", K.POLICE, "Antwerpen"),
    ("CAW Antwerpen", K.CAW, "Antwerpen"),
    ("OCMW Antwerpen", K.SOCIAL_SERVICES, "Antwerpen"),
    ("Stad Antwerpen — Jeugd", K.MUNICIPALITY, "Antwerpen"),
    ("Huisartsenpraktijk Zwartberg", K.OTHER, "Genk (no partner)"),
]

# Organisations of the region that are no chain partner (a GP's practice) appear in networks only.
GENK_PARTNERS = [o[0] for o in ORGANISATIONS if o[2] in ("Genk", "Hasselt")]
ANTWERP_PARTNERS = [o[0] for o in ORGANISATIONS if o[2] == "Antwerpen"]

# username, first name, last name, e-mail, [(chain slug, role, organisation name)], administrator
ACCOUNTS = [
    (
        "coordinator",
        "Sofie",
        "Claes",
        "sofie.claes@genk.example",
        [("fix-genk", Role.OPERATIONAL_COORDINATOR, None)],
        False,
    ),
    (
        "strateeg",
        "Koen",
        "Peeters",
        "koen.peeters@genk.example",
        [("fix-genk", Role.STRATEGIC_COORDINATOR, None), ("kompas-antwerpen", Role.STRATEGIC_COORDINATOR, None)],
        False,
    ),
    ("regisseur1", "Lotte", "Janssens", "lotte.janssens@genk.example", [("fix-genk", Role.CASE_DIRECTOR, None)], False),
    ("regisseur2", "Yusuf", "Demir", "yusuf.demir@genk.example", [("fix-genk", Role.CASE_DIRECTOR, None)], False),
    (
        "ot-politie",
        "Bart",
        "Maes",
        "bart.maes@carma.example",
        [("fix-genk", Role.OT_MEMBER, "Politiezone CARMA")],
        False,
    ),
    ("ot-caw", "Elif", "Yilmaz", "elif.yilmaz@caw.example", [("fix-genk", Role.OT_MEMBER, "CAW Limburg")], False),
    (
        "partner-school",
        "Nathalie",
        "Willems",
        "nathalie.willems@clb.example",
        [("fix-genk", Role.PARTNER, "CLB GO! Genk")],
        False,
    ),
    (
        "partner-jeugdwerk",
        "Jonas",
        "Lambrechts",
        "jonas.lambrechts@jeugdwerk.example",
        [("fix-genk", Role.PARTNER, "Jeugdwerk Genk — Jeugdhuis Kompas")],
        False,
    ),
    (
        "coordinator-antwerpen",
        "Hanne",
        "Wouters",
        "hanne.wouters@antwerpen.example",
        [("kompas-antwerpen", Role.OPERATIONAL_COORDINATOR, None)],
        False,
    ),
    ("admin", "Pieter", "Beheer", "beheer@genk.example", [], True),
]

DEMO_PASSWORD = "demo"  # noqa: S105 — demo mode only; the command refuses elsewhere


class Command(BaseCommand):
    help = "Create the demo chains, organisations and accounts (demo mode only; rerunning is harmless)."

    def handle(self, *args, **options):
        if not settings.DEMO and not settings.TESTING:
            raise CommandError(
                "seed_demo runs only in demo mode (KETENREGIE_DEMO=true): it creates accounts with password 'demo'."
            )
        with scopes_disabled(), transaction.atomic():
            chains = self._chains()
            organisations = self._organisations(chains)
            self._accounts(chains, organisations)
            from ketenregie.cases.demo import seed_cases

            seed_cases(chains=chains, organisations=organisations, stdout=self.stdout)
            from ketenregie.portal.demo import seed_demo_youth

            seed_demo_youth(chain=chains["fix-genk"], password=DEMO_PASSWORD, stdout=self.stdout)
            from ketenregie.reports.demo import seed_demo_reports

            seed_demo_reports(chains=chains, password=DEMO_PASSWORD, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("Demo accounts (password: demo):")
        for username, first, last, _email, roles, _admin in ACCOUNTS:
            what = ", ".join(f"{r.label} ({slug})" for slug, r, _org in roles) or "administrator"
            self.stdout.write(f"  {username:<22} {first} {last}: {what}")
        self.stdout.write(
            "  partner-school sees the cases whose sharing consent names CLB GO! Genk, limited to the consented "
            "life domains; partner-jeugdwerk is in the same networks without such a consent and sees no case."
        )

    def _chains(self) -> dict[str, Chain]:
        fix, _ = Chain.objects.update_or_create(
            slug="fix-genk",
            defaults={
                "name": "FIX Genk",
                "municipality": "Genk",
                "age_min": 12,
                "age_max": 25,
                "follow_up_after_max_age": False,
                "postal_codes": ["3600"],
                "follow_up_cadence_days": 7,
                "out_of_view_days": 21,
            },
        )
        kompas, _ = Chain.objects.update_or_create(
            slug="kompas-antwerpen",
            defaults={
                "name": "KOMPAS+ Antwerpen",
                "municipality": "Antwerpen",
                "age_min": 12,
                "age_max": 18,
                "follow_up_after_max_age": True,
                "postal_codes": [
                    "2000",
                    "2018",
                    "2020",
                    "2030",
                    "2040",
                    "2050",
                    "2060",
                    "2100",
                    "2140",
                    "2170",
                    "2180",
                    "2600",
                    "2610",
                    "2660",
                ],
                "follow_up_cadence_days": 7,
                "out_of_view_days": 21,
            },
        )
        return {"fix-genk": fix, "kompas-antwerpen": kompas}

    def _organisations(self, chains) -> dict[str, Organisation]:
        organisations = {}
        for name, kind, municipality in ORGANISATIONS:
            org, _ = Organisation.objects.update_or_create(
                name=name, defaults={"kind": kind, "municipality": municipality.replace(" (no partner)", "")}
            )
            organisations[name] = org
        for chain_slug, names in (("fix-genk", GENK_PARTNERS), ("kompas-antwerpen", ANTWERP_PARTNERS)):
            for name in names:
                ChainPartner.objects.update_or_create(
                    chain=chains[chain_slug],
                    organisation=organisations[name],
                    defaults={"in_operational_team": organisations[name].kind != K.SCHOOL or "CLB" in name},
                )
        return organisations

    def _accounts(self, chains, organisations) -> None:
        for username, first, last, email, roles, admin in ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.email = first, last, email
            user.is_staff = user.is_superuser = admin
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            for slug, role, org_name in roles:
                Membership.objects.update_or_create(
                    user=user,
                    chain=chains[slug],
                    role=role,
                    defaults={"organisation": organisations.get(org_name) if org_name else None, "is_active": True},
                )
