"""`ketenregie backup PATH`: an online backup of the database and the uploaded documents."""

from django.core.management.base import BaseCommand, CommandError

from ketenregie.common.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump --format=custom) and the uploaded "
        "documents into the new folder PATH, with a manifest of SHA-256 checksums. The application keeps running."
    )
    # Must work even when a system check fails (e.g. a half-configured server being recovered).
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="A new (or empty) folder for this backup, e.g. /srv/backups/2026-01-31-0200.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args, path, database, **options):
        self.verbosity = options["verbosity"]
        try:
            manifest = make_backup(path, using=database, log=self._progress)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        documents = sum(1 for entry in manifest["files"] if entry["path"].startswith("media/"))
        size = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {path}: {len(manifest['tables'])} tables, {rows} rows, {documents} documents, "
                f"{size / 1_000_000:.1f} MB."
            )
        )

    def _progress(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)
