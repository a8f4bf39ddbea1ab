"""Load the honour names and levels (integrity/data/option_lists.json) and the penalty kinds
(integrity/data/penalty_kinds.json). Rows already in the database, maybe edited, are kept."""

from django.db import migrations


def load(apps, schema_editor):
    from integrity.options import load_integrity_data

    load_integrity_data(apps.get_model("integrity", "IntegrityOption"), apps.get_model("integrity", "PenaltyKind"))


class Migration(migrations.Migration):
    dependencies = [("integrity", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
