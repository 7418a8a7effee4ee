"""``ketenregie seed_synthetic``: a large, invented data set for benchmarks (see ketenregie/bench)."""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled


class Command(BaseCommand):
    help = (
        "Fill the database with synthetic chains, staff and cases (Faker nl_BE) through bulk inserts, for "
        "benchmarks. Demo and test mode only; meant for an empty, dedicated database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chains", type=int, default=2, help="number of chains (default 2)")
        parser.add_argument("--cases", type=int, default=100, help="number of cases over all chains (default 100)")
        parser.add_argument(
            "--contacts-per-case",
            type=int,
            default=10,
            help="follow-up contacts per case on average, spread over the followed cases (default 10)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="reference day YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--years", type=int, default=10, help="how many years the chains have worked (default 10)")

    def handle(self, *args, **options) -> None:
        from ketenregie.bench import bulk, synthetic
        from ketenregie.chains.models import Chain

        if not settings.DEMO and not settings.TESTING:
            raise CommandError(
                "seed_synthetic runs only in demo or test mode (KETENREGIE_DEMO=true): it fills the database "
                "with invented people and accounts."
            )
        for name in ("chains", "cases", "years"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
        if options["contacts_per_case"] < 0:
            raise CommandError("--contacts-per-case must not be negative.")
        spec = synthetic.Spec(
            chains=options["chains"],
            cases=options["cases"],
            contacts_per_case=options["contacts_per_case"],
            seed=options["seed"],
            today=options["today"] or timezone.localdate(),
            years=options["years"],
        )
        started, cpu = time.monotonic(), time.process_time()
        verbose = options["verbosity"] >= 1
        say = self.stdout.write if verbose else (lambda message: None)
        say(
            f"Generating {spec.cases} cases in {spec.chains} chains, about {spec.contacts_per_case} contacts per "
            f"case, seed {spec.seed}, reference day {spec.today} ({connection.vendor})"
        )
        sink = bulk.Sink(synthetic.MODELS)
        with scopes_disabled(), transaction.atomic():
            generator = synthetic.Generator(spec, sink, log=say)
            taken = set(Chain.objects.values_list("slug", flat=True))
            if taken & set(generator.slugs()):
                raise CommandError(
                    "The database already holds synthetic chains with these names: seed an empty database "
                    "(or drop it and migrate again)."
                )
            with bulk.bulk_load(synthetic.table_names()):
                stats = generator.run()
                sink.flush()
                indexes_from = time.monotonic()
            indexed = time.monotonic() - indexes_from
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    for table in synthetic.table_names():
                        cursor.execute(f'ANALYZE "{table}"')
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
        counts = sink.counts()
        total = sum(counts.values())
        say(f"Rows per table ({total} in all):")
        for label, n in counts.items():
            if n:
                say(f"  {label:<40} {n:>10}")
        by_status = ", ".join(f"{k} {v}" for k, v in stats.items() if k not in ("chains", "cases"))
        say(f"Cases per status: {by_status}")
        say(
            self.style.SUCCESS(
                f"Seeded {stats['cases']} cases and {counts.get('followup.FollowUpContact', 0)} contacts in "
                f"{elapsed:.1f} s ({total / max(elapsed, 0.001):.0f} rows/s; indexes and foreign keys {indexed:.1f} s; "
                f"this process used {cpu:.1f} s of CPU)."
            )
        )
