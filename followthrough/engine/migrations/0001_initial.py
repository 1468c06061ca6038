
import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('clients', '0001_initial'),
        ('practice', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='EngagementScan',
            fields=[
                ('engagement', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='clients.engagement')),
                ('claim_token', models.CharField(blank=True, db_index=True, max_length=36, null=True)),
                ('claimed_until', models.DateTimeField(blank=True, null=True)),
                ('scanned_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.CreateModel(
            name='CoachThresholds',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('followthrough_below', models.FloatField(blank=True, null=True)),
                ('nonproductive_meetings', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('drift_meetings', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('drift_share', models.FloatField(blank=True, null=True)),
                ('no_show_run', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('coach', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='thresholds', to='practice.coach')),
            ],
            options={
                'verbose_name_plural': 'coach thresholds',
            },
        ),
        migrations.CreateModel(
            name='PracticeThresholds',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('followthrough_below', models.FloatField(default=0.5, help_text='A reviewed meeting whose follow-through is below this share counts as a bad one.')),
                ('nonproductive_meetings', models.PositiveSmallIntegerField(default=3, help_text='How many reviewed meetings in a row must be bad, with no goal progress.')),
                ('drift_meetings', models.PositiveSmallIntegerField(default=3, help_text='How many recent held meetings focus drift looks at.')),
                ('drift_share', models.FloatField(default=0.6666666666666666, help_text='Share of discussed focus areas outside the agreed focus that counts as drift.')),
                ('no_show_run', models.PositiveSmallIntegerField(default=2, help_text='How many no-shows in a row raise a flag.')),
                ('practice', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='thresholds', to='practice.practice')),
            ],
            options={
                'verbose_name_plural': 'practice thresholds',
            },
        ),
        migrations.CreateModel(
            name='Flag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('kind', models.CharField(choices=[('nonproductive', 'Nonproductive phase'), ('focus_drift', 'Focus drift'), ('no_shows', 'No-shows in a row')], max_length=20)),
                ('raised_at', models.DateTimeField()),
                ('cleared_at', models.DateTimeField(blank=True, null=True)),
                ('evidence', models.JSONField(blank=True, default=dict)),
                ('engagement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='flags', to='clients.engagement')),
            ],
            options={
                'ordering': ['-raised_at', 'pk'],
                'indexes': [models.Index(fields=['engagement', 'cleared_at'], name='engine_flag_engagem_25f710_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('cleared_at__isnull', True)), fields=('engagement', 'kind'), name='engine_flag_one_open_per_kind')],
            },
        ),
    ]
