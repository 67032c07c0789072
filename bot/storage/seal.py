"""Sealed copies: bytes the bot hands out (on a card) and gets back unchanged, or not at all.

A copy is encrypted and authenticated with AES-GCM (the `cryptography` package) under a key
derived from `CARD_SEAL_KEY` with HKDF, bound to what it is about (the associated data, e.g. a
request's keys): whoever holds the card can neither read it nor change it, nor move it to
another request. Opening anything that was not sealed here under that key and that binding
gives None, never an error.

Without a configured secret each process makes its own key at start: a card sealed by another
instance, or before a restart, then opens as None and its caller reads storage instead."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

NONCE = 12  # bytes, AES-GCM's standard nonce, random per seal
VERSION = b"\x01"  # the format: a copy in another format opens as None
MAX_SEALED = 16_000  # characters of a sealed copy taken back (a card carries a few of them)


class Seal:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    @classmethod
    def from_secret(cls, secret: str) -> Seal:
        """The key for `secret` (every instance with the same secret opens each other's)."""
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"integriteitsbot card seal"
        ).derive(secret.encode("utf-8"))
        return cls(key)

    @classmethod
    def ephemeral(cls) -> Seal:
        """A key of this process only."""
        return cls(AESGCM.generate_key(bit_length=256))

    def seal(self, plain: bytes, about: str) -> str:
        nonce = os.urandom(NONCE)
        sealed = self._aead.encrypt(nonce, zlib.compress(plain, 6), about.encode("utf-8"))
        return base64.urlsafe_b64encode(VERSION + nonce + sealed).decode("ascii")

    def open(self, token: str, about: str) -> bytes | None:
        """The bytes sealed with `about`, or None for anything else (changed, truncated, sealed
        under another key or for something else, or no copy at all)."""
        if not token or len(token) > MAX_SEALED:
            return None
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError):
            return None
        if raw[:1] != VERSION or len(raw) < 1 + NONCE + 16:
            return None
        try:
            packed = self._aead.decrypt(raw[1 : 1 + NONCE], raw[1 + NONCE :], about.encode())
            return zlib.decompress(packed)
        except (InvalidTag, zlib.error):
            log.info("a sealed copy did not open (another key, or changed)")
            return None
