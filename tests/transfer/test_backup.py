"""Backup and restore as an operator runs them: the commands, on real database files,
while another process keeps writing."""

import os
import sqlite3
import subprocess
import sys
import time

import pytest

WRITER = """
import django, os, itertools
django.setup()
from followthrough.clients.services import client_create
from followthrough.practice.models import Coach
coach = Coach.objects.get(user__username="ana")
for n in itertools.count():
    client_create(coach=coach, by=coach.user, full_name=f"Writer {n}", email=f"w{n}@example.org")
"""

SETUP = """
import django
django.setup()
from followthrough.practice.services import coach_create, practice_create
practice = practice_create(name="Harbour Coaching", timezone="Europe/London")
coach_create(practice=practice, username="ana", email="ana@example.org", display_name="Ana Perez",
             password="correct horse battery staple")
"""


def followthrough(database, *args, check=True):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run([sys.executable, "-m", "followthrough", *args], env=env, capture_output=True, text=True,
                          check=check, timeout=300)


def python(database, code):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture
def live_database(tmp_path):
    database = tmp_path / "live.sqlite3"
    followthrough(database, "migrate", "-v0")
    assert python(database, SETUP).wait(timeout=120) == 0
    return database


def test_a_backup_taken_during_writes_restores_into_an_empty_database_and_verifies(live_database, tmp_path):
    writer = python(live_database, WRITER)
    try:
        time.sleep(2)  # the writer is well under way
        followthrough(live_database, "backup", str(tmp_path / "copy.sqlite3"))
        time.sleep(1)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    assert "Traceback" not in (writer.stderr.read() or "").split("KeyboardInterrupt")[0]
    restored = tmp_path / "restored.sqlite3"
    done = followthrough(restored, "restore", str(tmp_path / "copy.sqlite3"))
    assert "integrity and history verified" in done.stdout
    assert sqlite3.connect(restored).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copied = sqlite3.connect(restored).execute("SELECT count(*) FROM clients_client").fetchone()[0]
    live = sqlite3.connect(live_database).execute("SELECT count(*) FROM clients_client").fetchone()[0]
    assert 0 < copied < live  # the copy is one moment in the middle of the writes
    assert followthrough(restored, "verify").returncode == 0


def test_restore_refuses_a_database_that_already_holds_records(live_database, tmp_path):
    followthrough(live_database, "backup", str(tmp_path / "copy.sqlite3"))
    refused = followthrough(live_database, "restore", str(tmp_path / "copy.sqlite3"), check=False)
    assert refused.returncode != 0 and "restore only into an empty one" in refused.stderr


def test_backup_never_overwrites_an_earlier_backup(live_database, tmp_path):
    (tmp_path / "copy.sqlite3").write_bytes(b"an older backup")
    refused = followthrough(live_database, "backup", str(tmp_path / "copy.sqlite3"), check=False)
    assert refused.returncode != 0 and (tmp_path / "copy.sqlite3").read_bytes() == b"an older backup"


CLIENT_WITH_A_FILE = """
import django
django.setup()
from django.db import transaction
from followthrough.clients.services import client_create
from followthrough.history.services import tracked_update
from followthrough.practice.models import Coach
coach = Coach.objects.get(user__username="ana")
with transaction.atomic():
    tracked_update(coach, by=None, action="coach.updated", changes={"is_practice_admin": True})
client = client_create(coach=coach, by=coach.user, full_name="Bob Stone", email="bob@example.org")
print(client.uid)
"""


def rows_naming(database, needle):
    """How many cells of every text column of every table hold `needle`."""
    db = sqlite3.connect(database)
    found = 0
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for column in db.execute(f"PRAGMA table_info('{table}')"):
            found += db.execute(f'SELECT count(*) FROM "{table}" WHERE CAST("{column[1]}" AS TEXT) LIKE ?',  # noqa: S608 - names from the schema
                                [f"%{needle}%"]).fetchone()[0]
    return found


def test_restoring_a_backup_from_before_an_erasure_erases_the_client_again(live_database, tmp_path, monkeypatch):
    monkeypatch.setenv("FT_ERASURE_LEDGER", str(tmp_path / "erasure-ledger"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{live_database}", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    uid = subprocess.run([sys.executable, "-c", CLIENT_WITH_A_FILE], env=env, capture_output=True, text=True,
                         check=True, timeout=120).stdout.strip()
    followthrough(live_database, "backup", str(tmp_path / "before.sqlite3"))
    followthrough(live_database, "erase", "--client", uid, "--by", "ana", "--reason", "the client's request")
    assert rows_naming(live_database, "Bob Stone") == 0 and rows_naming(tmp_path / "before.sqlite3", "Bob Stone")
    assert uid in (tmp_path / "erasure-ledger").read_text()

    restored = tmp_path / "restored.sqlite3"
    done = followthrough(restored, "restore", str(tmp_path / "before.sqlite3"))
    assert "erased again from the erasure ledger: 1 client(s)" in done.stdout
    assert rows_naming(restored, "Bob Stone") == 0 and rows_naming(restored, "bob@example.org") == 0
    checked = followthrough(restored, "verify")
    assert checked.returncode == 0 and "erasure ledger" not in checked.stdout
