"""The project's own commands: createcoach, serve, demo, and the `followthrough` entry point."""

import io
import sys
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from followthrough.practice.models import Coach, Practice

GOOD_PASSWORD = "a long and unusual passphrase"


def createcoach(monkeypatch, password=GOOD_PASSWORD, **options):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    values = {"practice": "Lakeside Coaching", "username": "ines", "email": "ines@example.org",
              "name": "Ines Moreau", "password_stdin": True, **options}
    out = StringIO()
    call_command("createcoach", stdout=out, no_color=True, **values)
    return out.getvalue()


def test_createcoach_creates_the_practice_and_the_coach(db, monkeypatch):
    out = createcoach(monkeypatch, specialty=["career", "business"], admin=True,
                      timezone="Europe/Paris")
    practice = Practice.objects.get(name="Lakeside Coaching")
    assert practice.timezone == "Europe/Paris"
    coach = Coach.objects.get(user__username="ines")
    assert coach.practice == practice
    assert coach.display_name == "Ines Moreau"
    assert coach.is_practice_admin
    assert sorted(area.slug for area in coach.specialties.all()) == ["business", "career"]
    assert authenticate(username="ines", password=GOOD_PASSWORD) == coach.user
    assert "Created the practice 'Lakeside Coaching'" in out
    assert "Created coach Ines Moreau <ines> (practice admin)" in out


def test_createcoach_joins_an_existing_practice(practice, monkeypatch):
    out = createcoach(monkeypatch, practice=practice.name, specialty=["health"])
    assert Practice.objects.filter(name=practice.name).count() == 1
    coach = Coach.objects.get(user__username="ines")
    assert coach.practice == practice and not coach.is_practice_admin
    assert "Created the practice" not in out


def test_createcoach_refuses_a_taken_username(coach, monkeypatch):
    with pytest.raises(CommandError, match=r"--username: the username 'ANA' is taken"):
        createcoach(monkeypatch, username="ANA")


def test_createcoach_refuses_an_unknown_specialty_and_saves_nothing(db, monkeypatch):
    with pytest.raises(CommandError, match=r"--specialty: unknown focus area 'astrology'"):
        createcoach(monkeypatch, specialty=["career", "astrology"])
    assert not Practice.objects.exists()


def test_createcoach_names_a_bad_email_and_rolls_back_the_new_practice(db, monkeypatch):
    with pytest.raises(CommandError, match=r"--email: Enter a valid email address"):
        createcoach(monkeypatch, email="not-an-address")
    assert not Practice.objects.exists()


def test_createcoach_refuses_a_weak_or_missing_password(db, monkeypatch):
    with pytest.raises(CommandError, match=r"password: .*too common"):
        createcoach(monkeypatch, password="password123")
    with pytest.raises(CommandError, match=r"password: a coach needs a password"):
        createcoach(monkeypatch, password="")


def test_createcoach_needs_a_terminal_or_password_stdin(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(CommandError, match="--password-stdin"):
        call_command("createcoach", practice="P", username="u", email="u@example.org", name="U V")


def test_createcoach_prompts_twice_on_a_terminal(db, monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD, GOOD_PASSWORD, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    options = {"practice": "P", "email": "t@example.org", "name": "Tess Ode"}
    call_command("createcoach", username="tess", stdout=StringIO(), **options)
    assert authenticate(username="tess", password=GOOD_PASSWORD) is not None
    with pytest.raises(CommandError, match="the two passwords differ"):
        call_command("createcoach", username="tess2", **options)


def test_serve_hands_the_wsgi_app_to_waitress(db, served):
    out = StringIO()
    call_command("serve", addr="127.0.0.1:8765", threads=6, stdout=out)
    from followthrough.wsgi import application

    assert served == [(application, {"listen": "127.0.0.1:8765", "threads": 6,
                                     "ident": "followthrough"})]
    assert "http://127.0.0.1:8765/" in out.getvalue()


def test_serve_defaults_and_wildcard_address(db, served):
    call_command("serve", stdout=StringIO())
    call_command("serve", addr="0.0.0.0:9000", stdout=StringIO(), stderr=StringIO())
    assert [kw["listen"] for _, kw in served] == ["127.0.0.1:8000", "0.0.0.0:9000"]
    assert served[0][1]["threads"] == 4


@pytest.mark.parametrize("addr", ["localhost:http", "127.0.0.1:0", "127.0.0.1:70000", "host:"])
def test_serve_refuses_a_bad_address(db, served, addr):
    with pytest.raises(CommandError, match="--addr must be host:port"):
        call_command("serve", addr=addr)
    assert served == []


def test_the_followthrough_command_lists_the_project_commands(capsys):
    from followthrough.cli import main

    main(["followthrough", "help"])
    listed = capsys.readouterr().out
    for name in ("createcoach", "demo", "seed_demo", "serve", "verify", "rotatedatakey"):
        assert f"    {name}\n" in listed
