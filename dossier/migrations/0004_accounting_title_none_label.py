"""会计专业技术职务: show the manual's 无 instead of 无职务.

Only the label changes: the stored value stays "无职务" (OptionItem.value must never change once
used), so every dossier that already holds it keeps reading as 无. A label an administrator has
already edited is left alone.
"""

from django.db import migrations

LIST_KEY = "accounting_title"
VALUE = "无职务"


def relabel(apps, schema_editor):
    apps.get_model("dossier", "OptionItem").objects.filter(list_key=LIST_KEY, value=VALUE, label=VALUE).update(
        label="无"
    )
    _drop_cache()


def _drop_cache():
    from dossier.options import invalidate_options

    invalidate_options()


def unrelabel(apps, schema_editor):
    apps.get_model("dossier", "OptionItem").objects.filter(list_key=LIST_KEY, value=VALUE, label="无").update(
        label=VALUE
    )
    _drop_cache()


class Migration(migrations.Migration):
    dependencies = [("dossier", "0003_change_payload")]

    operations = [migrations.RunPython(relabel, unrelabel)]
