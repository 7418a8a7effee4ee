from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from ketenregie.chains.models import Chain
from ketenregie.privacy import retention


class Command(BaseCommand):
    help = (
        "Pseudonymise the cases and consults whose retention period (the chain's retention_years after the "
        "case ended) has passed; legal holds and restrictions are respected. With --dry-run, only list "
        "what would change: counts per chain and case numbers, never names."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; list what would change.")
        parser.add_argument("--chain", help="Only this chain (its short name in links).")
        parser.add_argument("--today", type=date.fromisoformat, help="Count the periods up to this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run, chain, today, **options):
        with scopes_disabled():
            only = None
            if chain:
                only = Chain.objects.filter(slug=chain).first()
                if only is None:
                    raise CommandError(f"No chain with short name {chain!r}.")
            if dry_run:
                plans = retention.retention_plan(today=today, chain=only)
            else:
                plans = retention.apply_retention(today=today, chain=only)
        verb = "would be pseudonymised" if dry_run else "pseudonymised"
        total = 0
        for plan in plans:
            due = plan.due_references
            total += len(due)
            self.stdout.write(
                f"{plan.chain.slug} (retention {plan.chain.retention_years} years): "
                f"{len(due)} case(s) {verb}, {len(plan.consults_due)} consult(s) {verb}, "
                f"{len(plan.held)} under legal hold, {len(plan.restricted)} restricted"
            )
            for label, references in (
                ("  " + verb, due),
                ("  legal hold", plan.held),
                ("  restricted", plan.restricted),
            ):
                if references:
                    self.stdout.write(f"{label}: {', '.join(references)}")
        if dry_run:
            self.stdout.write(self.style.WARNING(f"Dry run: nothing changed ({total} case(s) due)."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Done: {total} case(s) pseudonymised; see the audit log."))
