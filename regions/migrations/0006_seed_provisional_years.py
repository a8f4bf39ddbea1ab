"""Seed the years after the last official schedule (2027–2030 with chinese_calendar 1.11) with their
statutory holidays from the `holidays` package, marked provisional: until an administrator enters
the State Council's notice, 元旦, 春节, 国庆节 and the other statutory holidays are never working days."""

from django.db import migrations


def seed(apps, schema_editor):
    from regions.seeding import load_provisional_years, provisional_years_after

    year_model = apps.get_model("regions", "CalendarYear")
    official = year_model.objects.filter(provisional=False).values_list("year", flat=True)
    if not official:
        return
    load_provisional_years(year_model, apps.get_model("regions", "CalendarException"), provisional_years_after(max(official)))


def unseed(apps, schema_editor):
    apps.get_model("regions", "CalendarYear").objects.filter(provisional=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0005_calendar_year_provisional"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
