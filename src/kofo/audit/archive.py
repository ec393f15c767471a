"""Content-addressed archive of every submitted file or payload (rules of the house, no. 9).

Stored once under ``KOFO_DATA_DIR/<area>/<first two hex digits>/<sha256>``, read-only, never rewritten;
the SHA-256 in the batch proves the archived bytes are what arrived. The area is ``archive`` for imports and
``documents`` for the document archive (letters produced, documents received).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings


class ArchiveError(Exception):
    code = "archive.corrupt"


IMPORTS = "archive"
DOCUMENTS = "documents"


def archive_root(area: str = IMPORTS) -> Path:
    return Path(settings.DATA_DIR) / area


def path_for(sha256: str, area: str = IMPORTS) -> Path:
    return archive_root(area) / sha256[:2] / sha256


def store(content: bytes, area: str = IMPORTS) -> str:
    """Archive ``content`` and return its SHA-256 (idempotent: the same bytes are stored once)."""
    digest = hashlib.sha256(content).hexdigest()
    target = path_for(digest, area)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".tmp{os.getpid()}")
        temporary.write_bytes(content)
        temporary.chmod(0o440)
        os.replace(temporary, target)
    return digest


def load(sha256: str, area: str = IMPORTS) -> bytes:
    content = path_for(sha256, area).read_bytes()
    if hashlib.sha256(content).hexdigest() != sha256:
        raise ArchiveError(f"Archivdatei {sha256} ist beschädigt: der SHA-256 stimmt nicht mehr.")
    return content
