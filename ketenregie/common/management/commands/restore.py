"""`ketenregie restore PATH [--force]`: restore a backup made by `ketenregie backup`."""

from django.core.management.base import BaseCommand, CommandError

from ketenregie.common.backup import BackupError, restore_backup, verify_backup


class Command(BaseCommand):
    help = (
        "Restore the backup in PATH into the configured database and media folder. Every checksum is verified "
        "first: a damaged or altered backup is refused. The database and the media folder must be empty unless "
        "--force is given. Stop the application servers first."
    )
    # Must work even when a system check fails (e.g. a half-configured server being recovered).
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup folder (with manifest.json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace everything in a non-empty database and media folder with the backup.",
        )
        parser.add_argument(
            "--verify-only", action="store_true", help="Only verify the backup's checksums; change nothing."
        )
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, path, force, verify_only, database, **options):
        self.verbosity = options["verbosity"]
        try:
            if verify_only:
                manifest = verify_backup(path)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Backup intact: {len(manifest['files'])} files match their checksums "
                        f"({manifest['engine']}, made {manifest['created_at']})."
                    )
                )
                return
            result = restore_backup(path, using=database, force=force, log=self._progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {result.manifest['created_at']}: {result.tables} tables with {result.rows} "
                f"rows (every count matches the manifest) and {result.documents} documents."
            )
        )
        if result.removed_documents:
            self.stdout.write(f"Removed {result.removed_documents} documents that were not in the backup.")
        if result.audit_entries is not None:
            self.stdout.write(self.style.SUCCESS(f"Audit log intact: {result.audit_entries} entries verified."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"The backup predates {len(result.pending_migrations)} migrations of this version: run "
                    "`ketenregie migrate`, then `ketenregie verify_audit`."
                )
            )

    def _progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)
