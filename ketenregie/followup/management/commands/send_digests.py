"""`ketenregie send_digests [--frequency daily|weekly] [--dry-run]`: e-mail each user the counts of their signals.

Run it daily from cron (`--frequency daily`) and weekly (`--frequency weekly`), or once a day without
`--frequency`: each user then gets the digest when theirs is due. The mails hold counts only.
"""

from django.core.management.base import BaseCommand

from ketenregie.followup.digest import send_digests
from ketenregie.followup.enums import DigestFrequency


class Command(BaseCommand):
    help = "E-mail every user with open signals how many they have of each kind (no names, no case numbers)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--frequency",
            choices=[DigestFrequency.DAILY, DigestFrequency.WEEKLY],
            help="Only users who chose this frequency (default: every user whose digest is due).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show who would get a digest; send nothing.")
        parser.add_argument(
            "--base-url",
            default="",
            help="The address of the platform for the link in the mail, e.g. https://keten.genk.be "
            "(default: the setting KETENREGIE_BASE_URL, else the first of ALLOWED_HOSTS).",
        )

    def handle(self, *args, frequency=None, dry_run=False, base_url="", **options):
        result = send_digests(frequency=frequency, dry_run=dry_run, link_base=base_url or None, stdout=self.stdout)
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(
            f"Digests {verb}: {result.sent}; skipped (nothing to report or not due): {result.skipped}; "
            f"failed: {result.failed}."
        )
