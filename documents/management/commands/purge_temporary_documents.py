from datetime import timedelta

from django.core.management.base import BaseCommand

from documents.services import purge_orphan_files, purge_temporary_documents


class Command(BaseCommand):
    help = "Delete temporary uploads never attached to an application (and their files), and orphan files."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="Age in hours (default DOCUMENT_TEMPORARY_HOURS).")
        parser.add_argument("--skip-orphans", action="store_true", help="Do not look for files without a row.")

    def handle(self, *args, hours=None, skip_orphans=False, **options):
        older_than = timedelta(hours=hours) if hours is not None else None
        documents = purge_temporary_documents(older_than=older_than)
        orphans = 0 if skip_orphans else purge_orphan_files(older_than=older_than)
        self.stdout.write(f"purged {documents} temporary document(s), {orphans} orphan file(s)")
