"""Load the option lists of the 信息采集 forms from dossier/data/option_lists.json.

Items already in the database (maybe edited by an administrator) are kept as they are.
"""

from django.db import migrations


def load(apps, schema_editor):
    from dossier.options import load_option_items

    load_option_items(apps.get_model("dossier", "OptionItem"))


class Migration(migrations.Migration):
    dependencies = [("dossier", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
