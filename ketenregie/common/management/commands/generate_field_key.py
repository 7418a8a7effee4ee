from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Print a new key for KETENREGIE_FIELD_KEYS. To rotate: put the new key first, keep the old ones "
        "after it, then run `ketenregie rotate_field_keys`."
    )
    requires_system_checks: list = []

    def handle(self, *args, **options):
        self.stdout.write(Fernet.generate_key().decode())
