"""Sensitive fields, encrypted at rest (Fernet: AES-128-CBC with an HMAC, from the
``cryptography`` library, which does the primitives so we do not).

Keys: ``CONCORD_FIELD_KEYS`` (comma-separated Fernet keys, the first encrypts and all
decrypt, so a key can be rotated), else one generated once in the data directory
(``field_key``), kept apart from the secret key so rotating that one loses nothing.

A backup of the database alone does not reveal these fields; keep the key file apart.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc:"  # stored values start with it, so a plaintext left by mistake is noticed


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in os.environ.get("CONCORD_FIELD_KEYS", "").split(",") if k.strip()]
    if not keys:
        from concord.settings import key_file

        keys = [key_file("field_key", lambda: Fernet.generate_key().decode())]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("A sensitive field holds a value that was not encrypted.")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError(
            "A sensitive field cannot be decrypted with this installation's field keys "
            "(CONCORD_FIELD_KEYS or var/field_key)."
        ) from exc


def pseudonym(text: str, record, *, label: str = "source") -> str:
    """A stable stand-in for ``text`` as ``record`` holds it: the same on every page and in
    every export of that record, and it cannot be turned back into the text.

    It is keyed by the record as well as the text, so it says nothing about another record:
    two allegations with the same source get two pseudonyms. (Keyed by the text alone, anyone
    who may record an allegation could confirm a guessed source by recording it and comparing
    pseudonyms, and link every allegation that shares a source.)"""
    if not text:
        return ""
    key = f"{record._meta.label_lower}:{record.pk}\n{text.strip().lower()}"
    digest = hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256)
    return f"{label}-{digest.hexdigest()[:8]}"


class EncryptedTextField(models.TextField):
    """Plain text in Python, ciphertext in the database. Cannot be filtered or sorted on.
    The audit trail records only that it changed (see ``core.audit.snapshot``)."""

    sensitive = True

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
