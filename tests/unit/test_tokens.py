"""API token format and hashing (kofo.partners.tokens): ``kofo_<prefix>_<secret>``, only SHA-256 stored."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import pytest

from kofo.partners import tokens
from kofo.partners.tokens import TOKEN_PREFIX_LENGTH, hash_token, matches, new_token, parse_prefix

TOKEN_RE = re.compile(r"kofo_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")


def test_new_token_format() -> None:
    """A token is ``kofo_`` + 8 hex characters + ``_`` + 32 random bytes url-safe (43 characters)."""
    token, prefix, digest = new_token()
    match = TOKEN_RE.fullmatch(token)
    assert match is not None, token
    assert match.group(1) == prefix
    assert len(prefix) == TOKEN_PREFIX_LENGTH
    assert digest == hashlib.sha256(token.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert match.group(2) not in digest


def test_new_tokens_differ() -> None:
    """Every token, prefix and hash is new (random), so a prefix finds one row."""
    made = [new_token() for _ in range(200)]
    assert len({t for t, _, _ in made}) == 200
    assert len({d for _, _, d in made}) == 200
    assert len({p for _, p, _ in made}) > 190  # 32-bit prefixes: collisions are possible, but rare


def test_parse_prefix_of_a_new_token() -> None:
    """The prefix of an issued token is found again."""
    token, prefix, _ = new_token()
    assert parse_prefix(token) == prefix


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("kofo_abcdef12_secret", "abcdef12"),
        ("kofo_abcdef12_se_cr_et", "abcdef12"),  # url-safe secrets may contain underscores
        ("kofo_abcdef12_", "abcdef12"),  # empty secret: the prefix is found, the hash will not match
        ("kofo_ABCDEF12_x", "ABCDEF12"),  # not hex-checked here: the lookup simply finds nothing
        ("kofo_abc_secret", None),  # prefix too short
        ("kofo_abcdef123_secret", None),  # prefix too long
        ("kofo_abcdef12", None),  # no secret part
        ("kofo__abcdef12", None),
        ("KOFO_abcdef12_secret", None),  # the scheme word is lower case
        ("xkofo_abcdef12_secret", None),
        ("kofo-abcdef12-secret", None),
        ("abcdef12", None),
        ("", None),
        ("_", None),
        ("__", None),
    ],
)
def test_parse_prefix_edge_cases(token: str, expected: str | None) -> None:
    """Only ``kofo_<8 characters>_…`` yields a prefix; everything else is None (and gets 401)."""
    assert parse_prefix(token) == expected


def test_hash_token_is_sha256_of_the_whole_token() -> None:
    """The hash covers prefix and secret together, UTF-8 encoded."""
    assert hash_token("kofo_abcdef12_geheim") == hashlib.sha256(b"kofo_abcdef12_geheim").hexdigest()
    assert hash_token("kofo_abcdef12_geheim") != hash_token("kofo_abcdef13_geheim")
    assert hash_token("ä") == hashlib.sha256("ä".encode()).hexdigest()


def test_matches_accepts_exactly_the_issued_token() -> None:
    """matches() is true for the issued token only."""
    token, _, digest = new_token()
    assert matches(token, digest)
    assert not matches(token + "x", digest)
    assert not matches(token[:-1], digest)
    assert not matches(token.upper(), digest)
    assert not matches(digest, digest)
    assert not matches(token, hash_token(token + "x"))


@pytest.mark.parametrize("answer", [True, False])
def test_matches_returns_the_constant_time_comparison(monkeypatch: pytest.MonkeyPatch, answer: bool) -> None:
    """The comparison is hmac.compare_digest (constant time) over the hashes; its result is returned as is."""
    calls: list[tuple[Any, Any]] = []

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return answer

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    assert matches("kofo_abcdef12_geheim", "gespeichert") is answer
    assert calls == [(hash_token("kofo_abcdef12_geheim"), "gespeichert")]
    monkeypatch.undo()
    assert hmac.compare_digest is not spy
