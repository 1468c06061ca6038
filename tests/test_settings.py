import pytest
from django.core.exceptions import ImproperlyConfigured

from followthrough import settings as ft_settings


@pytest.mark.parametrize(("value", "needle"), [
    ("mysql://x/y", "DATABASE_URL must start with postgres:// or sqlite://"),
    ("postgres://user@host", "DATABASE_URL must name a database"),
    ("sqlite://", "DATABASE_URL: sqlite:// needs a file path"),
])
def test_a_bad_database_url_names_the_variable(monkeypatch, value, needle):
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(ImproperlyConfigured, match=needle):
        ft_settings.env_database("DATABASE_URL", "/tmp/x.sqlite3")


def test_postgres_url_selects_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://ft:secret@db.internal:5433/followthrough")
    config = ft_settings.env_database("DATABASE_URL", "/tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "followthrough")


def test_sqlite_default_is_tuned_for_concurrent_writers(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = ft_settings.env_database("DATABASE_URL", "/tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert "synchronous=FULL" in config["OPTIONS"]["init_command"]


@pytest.mark.parametrize(("helper", "value", "needle"), [
    (lambda: ft_settings.env_bool("FT_X"), "maybe", "FT_X must be one of"),
    (lambda: ft_settings.env_int("FT_X", 1), "ten", "FT_X must be a whole number"),
    (lambda: ft_settings.env_int("FT_X", 1, minimum=1), "0", "FT_X must be at least 1"),
])
def test_strict_helpers_name_the_variable(monkeypatch, helper, value, needle):
    monkeypatch.setenv("FT_X", value)
    with pytest.raises(ImproperlyConfigured, match=needle):
        helper()
