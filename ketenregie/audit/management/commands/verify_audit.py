from django.core.management.base import BaseCommand, CommandError

from ketenregie.audit.domain import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero naming the first bad entry."

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"Audit log broken: {result.problem} (first bad entry: {result.first_bad_id}).")
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {result.checked} entries verified."))
