from django.core.management.base import BaseCommand

from reports.statistics_refresh import refresh_statistics


class Command(BaseCommand):
    help = "Bring the 统计分析 aggregates up to date (incremental; --full recomputes everything)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="recompute every aggregate from the raw tables")

    def handle(self, *args, full=False, **options):
        result = refresh_statistics(full=full)
        self.stdout.write(
            f"periods {len(result.periods)}, decision keys {len(result.decision_keys)}, "
            f"units {len(result.people_units)}, compliance keys {len(result.ce_keys)}"
        )
