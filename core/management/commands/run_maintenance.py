from django.core.management.base import BaseCommand, CommandError

from core.maintenance import discover, run


class Command(BaseCommand):
    help = "Run the scheduled maintenance purges now (all, or those named with --only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only", action="append", metavar="NAME", default=[], help="Run only this job (repeatable)."
        )
        parser.add_argument("--list", action="store_true", dest="list_jobs", help="List the jobs and exit.")

    def handle(self, *args, only=(), list_jobs=False, **options):
        jobs = discover()
        if list_jobs:
            for name, function in sorted(jobs.items()):
                summary = (function.__doc__ or "").strip().splitlines()[:1]
                self.stdout.write(f"{name}\t{summary[0] if summary else ''}")
            return
        unknown = sorted(set(only) - set(jobs))
        if unknown:
            raise CommandError(f"unknown job(s): {', '.join(unknown)}; known: {', '.join(sorted(jobs))}")
        for name in only or sorted(jobs):
            count = run(name)
            self.stdout.write(f"{name}: removed {count}")
