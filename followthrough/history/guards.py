"""The event log and the access log are append-only in the database itself.

Triggers refuse UPDATE and DELETE on their tables, whatever connection asks, so a bug or
a stray `dbshell` cannot rewrite history quietly; whoever owns the database can still drop
a trigger, and that is what the signed head (history.signing) is for. On SQLite Django
rebuilds a table to alter it and the rebuild drops its triggers, so they are installed
again after every `migrate` (post_migrate, in apps.py). On PostgreSQL the stronger guard
is a role without UPDATE/DELETE on these tables (see deploy/README.md).
"""

APPEND_ONLY_TABLES = ("history_event", "history_accessrecord")
MESSAGE = "history is append-only: events and access records cannot be changed or deleted"


def _sqlite_statements(table):
    for action in ("UPDATE", "DELETE"):
        name = f"{table}_no_{action.lower()}"
        yield (f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {action} ON {table} "
               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def _postgres_statements(table):
    yield ("CREATE OR REPLACE FUNCTION followthrough_append_only() RETURNS trigger AS $$ "
           f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql")
    yield f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"
    yield (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
           "FOR EACH ROW EXECUTE FUNCTION followthrough_append_only()")


def install(connection):
    """Create the triggers on `connection` (idempotent)."""
    statements = {"sqlite": _sqlite_statements, "postgresql": _postgres_statements}.get(connection.vendor)
    if statements is None:
        return
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            for sql in statements(table):
                cursor.execute(sql)


def remove(connection):
    """Drop the triggers: what an attacker who owns the database can do. For tests that
    prove `verify` still catches what such a person changes, and for test-run flushes."""
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            if connection.vendor == "sqlite":
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
            elif connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
