"""Each engagement carries its client's name, the caseload's sort key (see Engagement.client_name)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_names(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Engagement = apps.get_model("clients", "Engagement")
    Engagement.objects.update(
        client_name=Subquery(Client.objects.filter(pk=OuterRef("client_id")).values("full_name")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0003_client_search_trigram'),
        ('practice', '0002_practice_lapse_plan_defaults'),
    ]

    operations = [
        migrations.AddField(
            model_name='engagement',
            name='client_name',
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='engagement',
            index=models.Index(fields=['coach', 'client_name', 'client'], include=('state',),
                               name='engagement_caseload_by_name'),
        ),
    ]
