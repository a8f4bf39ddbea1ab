"""Load the 1–14 items and the national requirement (90 credits, 专业科目 ≥ 2/3) from data/ce_items.json.

Rows already in the database (maybe edited by an administrator) are kept as they are.
"""

from django.db import migrations


def load(apps, schema_editor):
    from continuing_education.items import load_credit_items, load_national_requirement

    load_credit_items(apps.get_model("continuing_education", "CreditItem"))
    load_national_requirement(apps.get_model("continuing_education", "AnnualRequirement"))


class Migration(migrations.Migration):
    dependencies = [("continuing_education", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
