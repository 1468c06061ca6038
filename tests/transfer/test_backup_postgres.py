"""Backup and restore on PostgreSQL as an operator runs them (pg_dump while another process
writes, pg_restore into an empty database, then `verify`). Runs when the suite runs on
PostgreSQL (CI does) and the client tools are on PATH; each test makes its own databases."""

import os
import shutil
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.transfer.test_backup import SETUP, WRITER

DATABASE = settings.DATABASES["default"]
TOOLS = ("pg_dump", "pg_restore", "psql")
pytestmark = [
    pytest.mark.skipif("postgresql" not in DATABASE["ENGINE"], reason="the suite runs on SQLite"),
    pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS), reason="PostgreSQL client tools are not on PATH"),
]


def url_of(name):
    user = quote(DATABASE.get("USER") or "", safe="")
    password = f":{quote(str(DATABASE['PASSWORD']), safe='')}" if DATABASE.get("PASSWORD") else ""
    host = quote(DATABASE.get("HOST") or "localhost", safe="")
    port = f":{DATABASE['PORT']}" if DATABASE.get("PORT") else ""
    return f"postgres://{user}{password}{'@' if user else ''}{host}{port}/{name}"


def psql(sql):
    env = {**os.environ, **({"PGPASSWORD": str(DATABASE["PASSWORD"])} if DATABASE.get("PASSWORD") else {})}
    subprocess.run(["psql", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-c", sql, url_of("postgres")], env=env,
                   check=True, capture_output=True, text=True, timeout=120)


def environment(name):
    return {**os.environ, "DATABASE_URL": url_of(name), "DJANGO_SETTINGS_MODULE": "tests.settings"}


def followthrough(name, *args):
    return subprocess.run([sys.executable, "-m", "followthrough", *args], env=environment(name),
                          capture_output=True, text=True, check=True, timeout=600)


def count_clients(name):
    code = ("import django; django.setup()\nfrom followthrough.clients.models import Client\n"
            "print(Client.objects.count())")
    done = subprocess.run([sys.executable, "-c", code], env=environment(name), capture_output=True, text=True,
                          check=True, timeout=120)
    return int(done.stdout.strip())


@pytest.fixture
def databases():
    names = [f"ft_backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("live", "restored")]
    for name in names:
        psql(f'CREATE DATABASE "{name}"')
    yield names
    for name in names:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_pg_dump_taken_during_writes_restores_into_an_empty_database_and_verifies(databases, tmp_path):
    live, restored = databases
    followthrough(live, "migrate", "-v0")
    subprocess.run([sys.executable, "-c", SETUP], env=environment(live), check=True, timeout=120)
    writer = subprocess.Popen([sys.executable, "-c", WRITER], env=environment(live), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)  # the writer is well under way
        followthrough(live, "backup", str(tmp_path / "copy.dump"))
        time.sleep(1)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    assert "Traceback" not in (writer.stderr.read() or "").split("KeyboardInterrupt")[0]
    done = followthrough(restored, "restore", str(tmp_path / "copy.dump"))
    assert "history verified" in done.stdout
    copied, now = count_clients(restored), count_clients(live)
    assert 0 < copied < now  # the copy is one moment in the middle of the writes
    assert followthrough(restored, "verify").returncode == 0
