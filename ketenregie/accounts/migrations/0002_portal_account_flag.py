from django.db import migrations, models


def mark_portal_accounts(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    PortalAccess = apps.get_model("portal", "PortalAccess")
    User.objects.filter(pk__in=PortalAccess.objects.values("user_id")).update(is_portal_account=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_portal_account",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_portal_accounts, migrations.RunPython.noop),
    ]
