"""Sealed copies: bytes the bot hands out (on a card) and gets back unchanged, or not at all.

A copy is encrypted and authenticated with AES-GCM (the `cryptography` package) under a key
derived from `CARD_SEAL_KEY` with HKDF, bound to what it is about (the associated data, e.g. a
request's keys): whoever holds the card can neither read it nor change it, nor move it to
another request. A copy is dated when sealed and opens for `MAX_AGE` only: a card lies in a
chat for ever, the request it copies does not. Opening anything that was not sealed here under
that key and that binding, or in time, gives None, never an error.

Without a configured secret each process makes its own key at start: a card sealed by another
instance, or before a restart, then opens as None and its caller reads storage instead."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import struct
import time
import zlib
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

NONCE = 12  # bytes, AES-GCM's standard nonce, random per seal
VERSION = b"\x02"  # the format: a copy in another format opens as None
MAX_AGE = 30 * 24 * 3600  # seconds a copy opens for (a decision on an older card reads first)
_SEALED_AT = struct.Struct(">Q")  # seconds since the epoch, before the payload
MAX_SEALED = 16_000  # characters of a sealed copy taken back (a card carries a few of them)


class Seal:
    def __init__(self, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self._aead = AESGCM(key)
        self._clock = clock  # the world's time: how long a card has been lying in a chat

    @classmethod
    def from_secret(cls, secret: str, clock: Callable[[], float] = time.time) -> Seal:
        """The key for `secret` (every instance with the same secret opens each other's)."""
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"integriteitsbot card seal"
        ).derive(secret.encode("utf-8"))
        return cls(key, clock)

    @classmethod
    def ephemeral(cls) -> Seal:
        """A key of this process only."""
        return cls(AESGCM.generate_key(bit_length=256))

    def seal(self, plain: bytes, about: str) -> str:
        nonce = os.urandom(NONCE)
        dated = _SEALED_AT.pack(int(self._clock())) + zlib.compress(plain, 6)
        sealed = self._aead.encrypt(nonce, dated, about.encode("utf-8"))
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
            dated = self._aead.decrypt(raw[1 : 1 + NONCE], raw[1 + NONCE :], about.encode())
        except InvalidTag:
            log.info("a sealed copy did not open (another key, or changed)")
            return None
        (at,) = _SEALED_AT.unpack_from(dated)
        if not -300 <= self._clock() - at <= MAX_AGE:
            return None  # too old (or from a clock far ahead): read storage instead
        try:
            return zlib.decompress(dated[_SEALED_AT.size :])
        except zlib.error:
            return None
