"""Hubei's rule for institution courses from 2018 on: 1 学时 = 3 credits (data an administrator may edit)."""

from django.db import migrations


def load(apps, schema_editor):
    rule = apps.get_model("institutions", "CourseCreditRule")
    if not rule.objects.exists():
        rule.objects.create(
            from_year=2018, mode="", rule="per_hour", params={"credits_per_hour": 3}, source="鄂财会发〔2018〕13号"
        )


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
