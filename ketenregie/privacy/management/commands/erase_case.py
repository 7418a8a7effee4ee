from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from ketenregie.cases.models import Case
from ketenregie.privacy import retention


class Command(BaseCommand):
    help = (
        "Erasure where it is legally due (GDPR art. 17): pseudonymise one ended case now, as retention "
        "would later. Needs the reference of the controller's decision; refused for an open case, "
        "a case under a legal hold and a restricted case. See docs/privacy.md, 'Erasure'."
    )

    def add_arguments(self, parser):
        parser.add_argument("case_id", help="The case's id (the UUID in the address of the case page).")
        parser.add_argument("--decision", required=True, help="Reference of the erasure decision, e.g. 'DPO 2026/014'.")

    def handle(self, *args, case_id, decision, **options):
        with scopes_disabled():
            try:
                case = Case.objects.filter(pk=case_id).first()
            except ValidationError:
                case = None
            if case is None:
                raise CommandError(f"No case with id {case_id}.")
            try:
                removed = retention.erase_case(case, decision=decision)
            except retention.ErasureRefused as exc:
                raise CommandError(f"Refused: {exc}.") from exc
        rows = sum(v for k, v in removed.items() if k != "documents")
        self.stdout.write(
            self.style.SUCCESS(
                f"Case {case.reference} pseudonymised: {rows} rows emptied, {removed.get('documents', 0)} document(s) deleted."
            )
        )
