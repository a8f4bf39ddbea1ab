from django.core.management.base import BaseCommand

from core.translations import compile_all


class Command(BaseCommand):
    help = "Compile the project's .po catalogues to .mo (pure Python; no gettext needed)."

    def handle(self, *args, **options):
        written = compile_all()
        self.stdout.write(f"compiled {written} catalogue(s)")
