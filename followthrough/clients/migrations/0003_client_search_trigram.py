"""Trigram indexes for the caseload's search on PostgreSQL.

The search matches part of a name or email (`icontains`, which PostgreSQL runs as
`UPPER(col::text) LIKE UPPER('%…%')`); a B-tree cannot serve a match in the middle of a
value, so without these every search read every client of the practice. The index
expressions are exactly the ones Django's lookup writes, so the planner can use them.
SQLite has no such index (and searches one coach's caseload quickly enough): there this
migration does nothing. pg_trgm is a trusted extension from PostgreSQL 13 on, so the
database's owner may create it.
"""

from django.db import migrations

INDEXES = {
    "clients_client_name_trgm": "UPPER(full_name::text) gin_trgm_ops",
    "clients_client_email_trgm": "UPPER(email::text) gin_trgm_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON clients_client USING gin ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_lapse_plan_planned_break")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
