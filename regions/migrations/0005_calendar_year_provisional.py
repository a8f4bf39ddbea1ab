from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("regions", "0004_seed_working_day_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendaryear",
            name="provisional",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Statutory holidays only, computed before the State Council's notice was published. "
                    "Enter the notice's holidays and make-up workdays, then untick this."
                ),
                verbose_name="provisional",
            ),
        ),
    ]
