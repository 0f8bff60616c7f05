"""DKIM: the wire bytes of a message, signed (rsa-sha256, relaxed/relaxed) when a key is set."""

import os
from pathlib import Path

import dkim
from flask import current_app

from app.mail.failures import PermanentFailure, TemporaryFailure
from app.mail.mime import mime_bytes

# Signed when DKIM is configured. Reply-To, List-Id and the List-Unsubscribe headers are named on
# mail without them too: a header listed but absent cannot be added later without breaking the
# signature, and bulk senders' one-click headers must be covered by it.
DKIM_SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Reply-To",
    b"Date",
    b"Message-ID",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"MIME-Version",
    b"Content-Type",
)


class DkimSigner:
    """Signs a message's final bytes (rsa-sha256, relaxed/relaxed) with a key read from a PEM file."""

    def __init__(self, selector: str, domain: str, private_key: bytes):
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")
        self.private_key = private_key

    def sign(self, data: bytes) -> bytes:
        signature = dkim.sign(
            data,
            self.selector,
            self.domain,
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(DKIM_SIGNED_HEADERS),
        )
        return signature + data


# The signer for the settings and key file as they were last read; read again if the file changes.
_dkim_signers: dict[tuple, DkimSigner] = {}


def dkim_signer() -> DkimSigner | None:
    """The signer for DKIM_* settings, or None when they are not all set.

    A key that cannot be read or parsed is a temporary failure: the mail waits (with backoff)
    for the key to be fixed instead of being sent unsigned or marked failed.
    """
    config = current_app.config
    path = config.get("DKIM_PRIVATE_KEY_PATH", "")
    selector = config.get("DKIM_SELECTOR", "")
    domain = config.get("DKIM_DOMAIN", "")
    if not (path and selector and domain):
        return None
    try:
        stat = os.stat(path)
        cache_key = (path, selector, domain, stat.st_mtime_ns, stat.st_size)
        signer = _dkim_signers.get(cache_key)
        if signer is None:
            # dkimpy finds the PEM body only between LF line ends; accept CRLF files too.
            key = Path(path).read_bytes().replace(b"\r\n", b"\n")
            dkim.crypto.parse_pem_private_key(key)  # refuse a bad key here, not per message
            signer = DkimSigner(selector, domain, key)
            _dkim_signers.clear()
            _dkim_signers[cache_key] = signer
        return signer
    except Exception as error:  # unreadable file, not PEM, not RSA, non-ASCII selector ...
        raise TemporaryFailure(
            f"DKIM key {path} unusable: {type(error).__name__}: {error}"
        ) from error


def message_bytes(outbox_message) -> bytes:
    """What goes on the wire: the stored bytes (built now for a row that has none), DKIM-signed
    at send time when a key is configured."""
    data = outbox_message.mime
    if data is None:
        try:
            data = mime_bytes(outbox_message)
        except PermanentFailure:
            raise
        except Exception as error:  # a row written around enqueue() that cannot be encoded
            raise PermanentFailure(f"{type(error).__name__}: {error}") from error
    signer = dkim_signer()
    return signer.sign(data) if signer else data
