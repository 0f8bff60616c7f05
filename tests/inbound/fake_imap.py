"""A small IMAP4rev1 server on 127.0.0.1 for the poller's tests: one account, one mailbox, and
just the commands imaplib sends for LOGIN, SELECT, UID SEARCH/FETCH/STORE, EXPUNGE and LOGOUT."""

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Stored:
    uid: int
    data: bytes
    deleted: bool = False


@dataclass
class Mailbox:
    username: str
    password: str
    messages: list[Stored] = field(default_factory=list)
    next_uid: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)
    logins: int = 0

    def add(self, data: bytes) -> None:
        with self.lock:
            self.messages.append(Stored(self.next_uid, data))
            self.next_uid += 1


_COMMAND = re.compile(rb"(\S+) (\S+)(?: (.*))?")


class _Session(socketserver.StreamRequestHandler):
    mailbox: Mailbox

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        self.send(b"* OK [CAPABILITY IMAP4rev1] fake ready")
        box = self.server.mailbox  # type: ignore[attr-defined]
        while True:
            line = self.rfile.readline()
            if not line:
                return
            match = _COMMAND.fullmatch(line.rstrip(b"\r\n"))
            if match is None:
                self.send(b"* BAD what")
                continue
            tag, command, rest = match.group(1), match.group(2).upper(), match.group(3) or b""
            if command == b"CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif command == b"LOGIN":
                user, password = (p.strip(b'"') for p in rest.split(b" ", 1))
                if (user.decode(), password.decode()) != (box.username, box.password):
                    self.send(tag + b" NO [AUTHENTICATIONFAILED] no")
                    continue
                box.logins += 1
            elif command == b"SELECT":
                with box.lock:
                    self.send(b"* %d EXISTS" % len(box.messages))
                self.send(b"* FLAGS (\\Seen \\Deleted)")
                self.send(tag + b" OK [READ-WRITE] SELECT completed")
                continue
            elif command == b"UID":
                self.uid_command(tag, rest, box)
                continue
            elif command == b"EXPUNGE":
                with box.lock:
                    for position in reversed(range(len(box.messages))):
                        if box.messages[position].deleted:
                            del box.messages[position]
                            self.send(b"* %d EXPUNGE" % (position + 1))
            elif command == b"LOGOUT":
                self.send(b"* BYE")
                self.send(tag + b" OK LOGOUT completed")
                return
            else:
                self.send(tag + b" BAD unknown command")
                continue
            self.send(tag + b" OK " + command + b" completed")

    def uid_command(self, tag: bytes, rest: bytes, box: Mailbox) -> None:
        verb, _, arguments = rest.partition(b" ")
        verb = verb.upper()
        with box.lock:
            if verb == b"SEARCH":
                uids = b" ".join(b"%d" % m.uid for m in box.messages if not m.deleted)
                self.send(b"* SEARCH " + uids if uids else b"* SEARCH")
            elif verb in (b"FETCH", b"STORE"):
                uid = int(arguments.split(b" ", 1)[0])
                for position, message in enumerate(box.messages, 1):
                    if message.uid != uid:
                        continue
                    if verb == b"FETCH":
                        self.wfile.write(
                            b"* %d FETCH (UID %d RFC822 {%d}\r\n"
                            % (position, uid, len(message.data))
                        )
                        self.wfile.write(message.data + b")\r\n")
                    else:
                        message.deleted = True
                        self.send(b"* %d FETCH (FLAGS (\\Deleted) UID %d)" % (position, uid))
        self.send(tag + b" OK UID completed")


class FakeImapServer:
    """The server in a thread; `mailbox` holds what it serves."""

    def __init__(self, username: str = "bounces", password: str = "secret pass"):
        self.mailbox = Mailbox(username, password)
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
        self.server.daemon_threads = True
        self.server.mailbox = self.mailbox  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeImapServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
