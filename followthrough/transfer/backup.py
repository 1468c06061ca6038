"""A consistent copy of the whole database while the app runs, and putting one back.

SQLite: the online backup API copies the database in one step under a read transaction,
so writers carry on (WAL) and the copy is one moment's state, never half a write.
PostgreSQL: pg_dump's custom format, taken in one snapshot, and pg_restore.
Both end with the checks a restored database must pass before anyone trusts it:
SQLite's integrity_check, then the event chain and every record against its history.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

from followthrough.history.services import verify_chain, verify_records

LIBPQ_OPTIONS = {"host", "port", "dbname", "user", "sslmode", "sslrootcert", "sslcert", "sslkey", "options",
                 "application_name", "connect_timeout"}


class BackupFailed(Exception):
    pass


def backup(path):
    path = Path(path)
    if path.exists():
        raise BackupFailed(f"{path} already exists; choose a new file so no backup is overwritten.")
    if connection.vendor == "sqlite":
        return _sqlite_backup(path)
    if connection.vendor == "postgresql":
        try:
            return _pg("pg_dump", "--format=custom", "--no-owner", f"--file={path}", f"--dbname={_pg_dsn()}")
        except BackupFailed:
            path.unlink(missing_ok=True)  # never leave a file that looks like a backup
            raise
    raise BackupFailed(f"backing up a {connection.vendor} database is not supported")


def _sqlite_backup(path):
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)  # pages=-1: all at once, one consistent state
    finally:
        target.close()


def _pg_dsn():
    """The connection the app itself uses (host, port, database, user, options), for libpq's tools."""
    from psycopg.conninfo import make_conninfo

    # Only options every libpq knows: the driver's own (newer) libpq adds ones an older
    # pg_dump refuses.
    params = {k: v for k, v in connection.get_connection_params().items() if k in LIBPQ_OPTIONS and v}
    return make_conninfo(**{k: str(v) for k, v in params.items()})


def _pg_env():
    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(connection.settings_dict["PASSWORD"])  # the DSN leaves it out
    return env


def _pg(program, *args):
    found = shutil.which(program)
    if found is None:
        raise BackupFailed(f"{program} is not on PATH; install the PostgreSQL client tools of the server's version.")
    done = subprocess.run([found, *args], env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603 - fixed program, our own arguments
    if done.returncode != 0:
        raise BackupFailed(f"{program} failed: {done.stderr.strip()}")


def database_is_empty():
    tables = set(connection.introspection.table_names())
    if "history_event" not in tables:
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM history_event)")
        return not cursor.fetchone()[0]


def restore(path):
    """Put a backup into this installation's database, which must hold no history yet."""
    path = Path(path)
    if not path.is_file():
        raise BackupFailed(f"{path} is not a file")
    if not database_is_empty():
        raise BackupFailed("The database already holds records; restore only into an empty one, so nothing "
                           "present is overwritten (point DATABASE_URL at a new database).")
    if connection.vendor == "sqlite":
        _sqlite_restore(path)
    elif connection.vendor == "postgresql":
        _pg("pg_restore", "--no-owner", "--clean", "--if-exists", "--exit-on-error", f"--dbname={_pg_dsn()}",
            str(path))
    else:
        raise BackupFailed(f"restoring a {connection.vendor} database is not supported")
    connection.close()


def _sqlite_restore(path):
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupFailed(f"{path} is damaged: SQLite's integrity check fails on it")
        connection.ensure_connection()
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"{path} is not a SQLite backup: {exc}") from None
    finally:
        source.close()


def check_restored():
    """The problems of the database as it now stands: damage, then history that does not verify."""
    problems = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            result = cursor.fetchone()[0]
        if result != "ok":
            problems.append(f"integrity check: {result}")
    chain = verify_chain()
    if chain is not None:
        problems.append(str(chain))
    problems.extend(str(p) for p in verify_records())
    return problems
