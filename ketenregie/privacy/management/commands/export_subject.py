from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from ketenregie.cases.models import Youth
from ketenregie.privacy import domain
from ketenregie.privacy.subject import render_export_pdf


class Command(BaseCommand):
    help = (
        "Write everything held about one youth (GDPR access request) as JSON or PDF. "
        "The export lands in the access log of each of the youth's cases."
    )

    def add_arguments(self, parser):
        parser.add_argument("youth_id", help="The youth's id (the UUID in the address of the access request page).")
        parser.add_argument("--format", dest="fmt", choices=["json", "pdf"], default="json")
        parser.add_argument("--output", required=True, help="File to write; it holds personal data, keep it safe.")

    def handle(self, *args, youth_id, fmt, output, **options):
        with scopes_disabled():
            try:
                youth = Youth.objects.select_related("chain").filter(pk=youth_id).first()
            except ValidationError:
                youth = None
            if youth is None:
                raise CommandError(f"No youth with id {youth_id}.")
            export = domain.export_subject(actor=None, youth=youth, fmt=fmt, channel_note="command")
            data = export.to_json_bytes() if fmt == "json" else render_export_pdf(export)
        path = Path(output)
        path.write_bytes(data)
        path.chmod(0o600)
        cases = len(export.cases)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({fmt}, {cases} case(s), {len(data)} bytes)."))
