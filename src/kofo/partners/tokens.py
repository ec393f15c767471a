"""API token format and hashing: ``kofo_<prefix>_<secret>``; only SHA-256 of the whole token is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX_LENGTH = 8


def new_token() -> tuple[str, str, str]:
    """Return (token, prefix, sha256-hex). The token is shown once and never stored."""
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    token = f"kofo_{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_prefix(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "kofo" or len(parts[1]) != TOKEN_PREFIX_LENGTH:
        return None
    return parts[1]


def matches(token: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), secret_hash)
