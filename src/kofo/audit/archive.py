"""Content-addressed archive of every submitted file or payload (rules of the house, no. 9).

Stored once under ``KOFO_DATA_DIR/archive/<first two hex digits>/<sha256>``, read-only, never rewritten;
the SHA-256 in the batch proves the archived bytes are what arrived.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings


class ArchiveError(Exception):
    code = "archive.corrupt"


def archive_root() -> Path:
    return Path(settings.DATA_DIR) / "archive"


def path_for(sha256: str) -> Path:
    return archive_root() / sha256[:2] / sha256


def store(content: bytes) -> str:
    """Archive ``content`` and return its SHA-256 (idempotent: the same bytes are stored once)."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".tmp{os.getpid()}")
        temporary.write_bytes(content)
        temporary.chmod(0o440)
        os.replace(temporary, target)
    return digest


def load(sha256: str) -> bytes:
    content = path_for(sha256).read_bytes()
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ArchiveError(f"Archivdatei {sha256} ist beschädigt: der SHA-256 stimmt nicht mehr.")
    return content
