"""Reading what a reply says from its own first lines, and the signed token in its address."""

from datetime import date, timedelta
from email.message import EmailMessage

import pytest
from django.core.exceptions import ImproperlyConfigured

from followthrough.notifications.replies import read_token, reply_address, reply_token, token_in
from followthrough.notifications.reply_text import html_to_text, read_reply
from followthrough.settings import env_email_address


@pytest.mark.parametrize("text, meaning, note", [
    ("done", "done", ""),
    ("Done!", "done", ""),
    ("DONE, called all three.", "done", "called all three."),
    ("All done.\nIt took longer than planned.", "done", "It took longer than planned."),
    ("\n\n  done  \n", "done", ""),
    ("Not yet", "not_yet", ""),
    ("not yet - next week", "not_yet", "next week"),
    ("Not done yet.", "not_yet", ""),
    ("not done", "", ""),
    ("Maybe tomorrow", "", ""),
    ("", "", ""),
    ("> done\nOn Mon, Ana wrote:", "", ""),
])
def test_the_first_line_says_done_or_not_yet(text, meaning, note):
    read = read_reply(text)
    assert (read.meaning, read.note) == (meaning, note)


@pytest.mark.parametrize("text", ["8 7 9 6", "8,7,9,6", "8, 7, 9, 6", "8;7;9;6", " 8 7 9 6. ", "8/7/9/6"])
def test_four_numbers_are_the_meeting_check_in_its_order(text):
    assert read_reply(text).answers == {"on_what_matters": 8, "plan_fits_week": 7, "felt_heard": 9,
                                        "sure_to_do_it": 6}


@pytest.mark.parametrize("text", ["8 7 9", "8 7 9 6 5", "8 7 11 6", "8.5 7 9 6", "eight 7 9 6"])
def test_anything_but_four_whole_numbers_0_to_10_is_unreadable(text):
    assert read_reply(text).meaning == ""


def test_quoted_text_and_signatures_are_ignored():
    reply = ("Not yet.\nThe venue was closed.\n\n-- \nBob Stone\nBakery\n\n"
             "On Wed, 10 Jun 2026 at 09:00, Followthrough <ft@example.org> wrote:\n> done\n")
    assert read_reply(reply).note == "The venue was closed."
    outlook = "done\n\n-----Original Message-----\nFrom: Followthrough\n> not yet"
    assert read_reply(outlook).meaning == "done"
    phone = "Sent from my phone\n\ndone"
    assert read_reply(phone).meaning == ""


def test_an_html_only_reply_is_read_without_its_quoted_part():
    html = "<div>Done &amp; dusted</div><blockquote>not yet</blockquote>"
    assert read_reply(html_to_text(html)).meaning == "done"


def test_a_token_names_its_message_and_refuses_tampering_and_age(settings):
    token = reply_token("reminder", 31)
    assert read_token(token).kind == "reminder" and read_token(token).pk == 31
    assert read_token(token.upper()).problem == ""  # mail servers may fold case
    letter_pk, day, mac = token.split(".")
    assert read_token(f"r20.{day}.{mac}").problem == "forged"
    assert read_token(f"i1f.{day}.{mac}").problem == "forged"
    assert read_token("nonsense").problem == "forged"
    old = reply_token("invitation", 5, today=date.today() - timedelta(days=61))
    assert read_token(old).problem == "expired"
    settings.SECRET_KEY = "another-site-entirely-" * 3
    assert read_token(token).problem == "forged"


def test_the_reply_address_fits_an_email_local_part(settings):
    settings.FT_REPLY_ADDRESS = "replies@practice.example"
    address = reply_address("invitation", 123456789)
    local = address.split("@")[0]
    assert len(local) <= 64 and local.startswith("replies+i")
    message = EmailMessage()
    message["To"] = f"Replies <{address.upper()}>"
    assert token_in(message) == local.split("+")[1]
    settings.FT_REPLY_ADDRESS = ""
    assert reply_address("invitation", 1) is None


def test_a_reply_to_another_address_carries_no_token(settings):
    settings.FT_REPLY_ADDRESS = "replies@practice.example"
    message = EmailMessage()
    message["To"] = "replies+abc@elsewhere.example, other+abc@practice.example"
    assert token_in(message) == ""


@pytest.mark.parametrize("value", ["replies", "replies+x@practice.example", "a b@practice.example",
                                   "Replies <replies@practice.example>", "replies@localhost"])
def test_a_reply_address_that_cannot_work_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("FT_REPLY_ADDRESS", value)
    with pytest.raises(ImproperlyConfigured, match="FT_REPLY_ADDRESS"):
        env_email_address("FT_REPLY_ADDRESS")


def test_a_plain_reply_address_is_accepted(monkeypatch):
    monkeypatch.setenv("FT_REPLY_ADDRESS", " replies@Practice.Example ")
    assert env_email_address("FT_REPLY_ADDRESS") == "replies@practice.example"
    monkeypatch.delenv("FT_REPLY_ADDRESS")
    assert env_email_address("FT_REPLY_ADDRESS") == ""
