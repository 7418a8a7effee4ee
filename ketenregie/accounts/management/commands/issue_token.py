from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ketenregie.accounts.domain import create_token


class Command(BaseCommand):
    help = "Create a personal access token for USERNAME and print it (it is stored hashed, shown only now)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Command line", help="What the token is for.")
        parser.add_argument("--days", type=int, default=90, help="Days the token stays valid (default 90).")

    def handle(self, *args, username, name, days, **options):
        if days < 1 or days > 3650:
            raise CommandError("--days must be between 1 and 3650.")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account with username {username!r}.")
        _token, plaintext = create_token(actor=user, name=name, valid_days=days)
        self.stdout.write(plaintext)
