"""Local stand-ins for a mail server, on loopback: SMTP (aiosmtpd) delivering into Maildirs,
and a small IMAP4 server holding a few messages (LOGIN, SELECT, SEARCH, FETCH, STORE, LOGOUT)."""

import mailbox
import re
import socket
import socketserver
import threading
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DeliverToMaildirs:
    """Each recipient's mail goes into the Maildir named after its local part, "+tag" left off
    (replies+abc@... lands in `replies`), as a mail server delivering to mailboxes does."""

    def __init__(self, root):
        self.root = root

    async def handle_DATA(self, server, session, envelope):
        for recipient in envelope.rcpt_tos:
            name = recipient.split("@")[0].split("+")[0]
            mailbox.Maildir(self.root / name, create=True).add(envelope.original_content)
        return "250 OK delivered"


@contextmanager
def smtp_server(root):
    """An SMTP server on 127.0.0.1; yields its port."""
    for attempt in range(5):
        controller = Controller(DeliverToMaildirs(root), hostname="127.0.0.1", port=free_port())
        try:
            controller.start()
            break
        except (OSError, RuntimeError):  # another process took the free port in between
            if attempt == 4:
                raise
    try:
        yield controller.port
    finally:
        controller.stop()


def maildir_messages(path):
    return [message for _, message in sorted(mailbox.Maildir(path, create=False).items())]


def mark_all_unread(path):
    box = mailbox.Maildir(path, create=False)
    for key in list(box.iterkeys()):
        message = box.get_message(key)
        message.set_flags("")
        box[key] = message


class ImapMailbox:
    """What the stand-in serves: messages (bytes) with their flags, and one login."""

    def __init__(self, user, password, messages=()):
        self.user, self.password = user, password
        self.messages = [[raw, set()] for raw in messages]
        self.commands = []

    def add(self, raw):
        self.messages.append([raw, set()])

    def mark_all_unseen(self):
        for message in self.messages:
            message[1].discard("\\Seen")


_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _args(text):
    return [quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted or bare == "" else bare
            for quoted, bare in _ARG.findall(text)]


class _Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")

    def handle(self):
        box, selected = self.server.box, False
        self.send("* OK IMAP4rev1 stand-in ready")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, argument = rest.partition(" ")
            command = command.upper()
            box.commands.append(command)
            if command == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                if _args(argument) != [box.user, box.password]:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] wrong user or password")
                    continue
            elif command == "SELECT":
                selected = True
                self.send(f"* {len(box.messages)} EXISTS")
                self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif not selected and command in ("SEARCH", "FETCH", "STORE"):
                self.send(f"{tag} BAD select a mailbox first")
                continue
            elif command == "SEARCH":
                unseen_only = argument.upper() == "UNSEEN"
                numbers = [str(n) for n, (_, flags) in enumerate(box.messages, 1)
                           if not (unseen_only and "\\Seen" in flags)]
                self.send("* SEARCH" + "".join(f" {n}" for n in numbers))
            elif command == "FETCH":
                number = int(argument.split()[0])
                raw = box.messages[number - 1][0]
                self.send(f"* {number} FETCH (BODY[] {{{len(raw)}}}".encode() + b"\r\n" + raw + b")\r\n")
            elif command == "STORE":
                number = int(argument.split()[0])
                box.messages[number - 1][1].add("\\Seen")
                self.send(f"* {number} FETCH (FLAGS (\\Seen))")
            elif command == "LOGOUT":
                self.send("* BYE logging out")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif command != "NOOP":
                self.send(f"{tag} BAD unknown command")
                continue
            self.send(f"{tag} OK {command} completed")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def imap_server(box):
    """An IMAP4 server on 127.0.0.1 serving `box`; yields its port."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.box = box
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
