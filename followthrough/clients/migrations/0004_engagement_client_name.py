"""Each engagement carries its client's name and email, the caseload's sort and search keys
(see Engagement.client_name)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_names(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    Engagement = apps.get_model("clients", "Engagement")
    client = Client.objects.filter(pk=OuterRef("client_id"))
    Engagement.objects.update(client_name=Subquery(client.values("full_name")[:1]),
                              client_email=Subquery(client.values("email")[:1]))


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
        migrations.AddField(
            model_name='engagement',
            name='client_email',
            field=models.CharField(blank=True, editable=False, max_length=254),
        ),
        migrations.RunPython(copy_names, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='engagement',
            index=models.Index(fields=['coach', 'client_name', 'client'], include=('state', 'client_email'),
                               name='engagement_caseload_by_name'),
        ),
    ]
