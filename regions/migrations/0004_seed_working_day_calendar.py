"""Seed the working-day calendar from the chinese_calendar package, for every year it knows
(2004–2026 with chinese_calendar 1.11). Only real exceptions are stored: holidays on Monday–Friday
and make-up workdays (调休) on Saturday or Sunday. Administrators add later years in the admin."""

from django.db import migrations


def seed(apps, schema_editor):
    from regions.seeding import load_calendar

    load_calendar(apps.get_model("regions", "CalendarYear"), apps.get_model("regions", "CalendarException"))


def unseed(apps, schema_editor):
    apps.get_model("regions", "CalendarYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0003_working_day_calendar"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
