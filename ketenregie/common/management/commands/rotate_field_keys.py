"""`ketenregie rotate_field_keys`: re-encrypt every encrypted field under the newest key."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ketenregie.common.key_rotation import RotationError, rotate_field_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field that is not yet under the first key of KETENREGIE_FIELD_KEYS (and encrypt "
        "any plaintext left from before encryption). Safe while the application runs; rerunning is harmless. "
        "--check changes nothing and exits non-zero while values remain under an older key."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Only count values still under an older key; change nothing."
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, check, batch_size, database, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        verbose = options["verbosity"] >= 2
        try:
            result = rotate_field_keys(
                using=database,
                batch_size=batch_size,
                dry_run=check,
                log=self.stdout.write if verbose else None,
            )
        except RotationError as exc:
            raise CommandError(str(exc)) from exc
        if check:
            if result.to_rotate:
                raise CommandError(
                    f"{result.to_rotate} of {result.checked} encrypted values are not under the newest key yet: "
                    "run `ketenregie rotate_field_keys`."
                )
            self.stdout.write(self.style.SUCCESS(f"All {result.checked} encrypted values are under the newest key."))
            return
        from ketenregie.audit.domain import log

        # Counts only: which values moved is not recorded, and no key ever is.
        log(
            "keys.rotated",
            actor=None,
            username="rotate_field_keys",
            details={"checked": result.checked, "rotated": result.rotated, "keys": len(settings.KETENREGIE_FIELD_KEYS)},
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {result.rotated} of {result.checked} encrypted values under the newest key"
                + (
                    f"; {result.changed_meanwhile} changed meanwhile and were already written anew"
                    if result.changed_meanwhile
                    else ""
                )
                + "."
            )
        )
