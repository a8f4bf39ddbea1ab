"""Load Hubei's 118 divisions from regions/data/hubei_divisions.csv and build the review-unit tree
(省直 → 市直/州直 → counties; 仙桃, 潜江, 天门, 神农架林区 directly under 省直). See regions/seeding.py."""

from django.db import migrations


def load(apps, schema_editor):
    from regions.seeding import load_hubei_regions

    load_hubei_regions(apps.get_model("regions", "Division"), apps.get_model("regions", "ReviewUnit"))


def unload(apps, schema_editor):
    ReviewUnit = apps.get_model("regions", "ReviewUnit")
    Division = apps.get_model("regions", "Division")
    # Children first: both trees protect their parents.
    for unit in ReviewUnit.objects.order_by("-path"):
        unit.delete()
    for level in ("county", "group", "city", "province"):
        Division.objects.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload),
    ]
