"""Who is talking: HMAC-signed bearer tokens with an expiry, and the user names they carry.

A token is `v1.<payload>.<signature>`: the payload is base64url JSON `{"sub": user, "iat", "exp"}`
and the signature is HMAC-SHA256 over `v1.<payload>` with the deployment's secret. Every server
of a deployment shares the secret, so a client that reconnects to another server after a crash
keeps its token. No database lookup is needed to check one — which is the point on a chat
server holding hundreds of thousands of sockets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import re
import secrets
from dataclasses import dataclass

from interview_coach.clock import Clock
from interview_coach.errors import CoachError, UsageError

SECRET_ENV = "INTERVIEW_COACH_CHAT_SECRET"
DEFAULT_TOKEN_TTL_S = 12 * 3600
_VERSION = "v1"
_USER_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class AuthError(CoachError):
    """A missing, forged, malformed or expired token. `code` is what an HTTP 401 body says."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def validate_user_id(user_id: object, what: str = "user_id") -> str:
    """A user name: 1-64 letters, digits, '_', '.', '-'.

    Stricter than the core's check on purpose: names issued here sit inside tokens, channel ids
    (`dm:alice:bob`), URLs and Redis keys, so they carry no separators, braces or spaces.
    """
    if not isinstance(user_id, str) or not _USER_RE.fullmatch(user_id):
        shown = user_id if isinstance(user_id, str) else type(user_id).__name__
        if len(shown) > 40:  # never echo a huge input back
            shown = shown[:37] + "..."
        raise UsageError(f"{what}: {shown!r} is not a user name",
                         "use 1-64 letters, digits, '_', '.' or '-', e.g. alice")
    return user_id


MIN_SECRET_CHARS = 32  # 32 random characters (e.g. 16 bytes as hex) or more
MAX_TOKEN_TTL_S = 30 * 24 * 3600.0
MIN_TOKEN_TTL_S = 1.0


def check_secret(secret: bytes, where: str = SECRET_ENV) -> bytes:
    """Refuse a guessable signing secret. Checked on the secret itself: a key derived from it
    is always 32 bytes long, however weak the secret was."""
    if len(secret) < MIN_SECRET_CHARS or len(set(secret)) < 8:
        raise UsageError(f"{where} is too weak ({len(secret)} characters, {len(set(secret))} distinct)",
                         f"use at least {MIN_SECRET_CHARS} random characters, e.g. "
                         "python3 -c 'import secrets; print(secrets.token_hex(32))'")
    return secret


def check_token_ttl(ttl_s: object, what: str = "--token-ttl") -> float:
    """A token lifetime in seconds: finite, 1 s .. 30 days (nan and inf would never expire)."""
    if isinstance(ttl_s, bool) or not isinstance(ttl_s, (int, float)) or not math.isfinite(ttl_s) \
            or not MIN_TOKEN_TTL_S <= ttl_s <= MAX_TOKEN_TTL_S:
        raise UsageError(f"{what}: {ttl_s!r} is not a number of seconds from {MIN_TOKEN_TTL_S:g} to {MAX_TOKEN_TTL_S:g}",
                         "e.g. --token-ttl 3600 (one hour)")
    return float(ttl_s)


def secret_from_env() -> bytes | None:
    value = os.environ.get(SECRET_ENV)
    return check_secret(value.encode()) if value else None


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class IssuedToken:
    token: str
    user_id: str
    expires_at: float


class TokenSigner:
    """Issues and checks the bearer tokens of one deployment."""

    def __init__(self, secret: bytes, clock: Clock, ttl_s: float = DEFAULT_TOKEN_TTL_S) -> None:
        if len(secret) < 16:
            raise UsageError("the token secret is too short", f"set {SECRET_ENV} to at least 16 characters")
        self._secret = secret
        self._clock = clock
        self.ttl_s = check_token_ttl(ttl_s, "token ttl")

    def _sign(self, signed_part: str) -> str:
        return _b64(hmac.new(self._secret, signed_part.encode("ascii"), hashlib.sha256).digest())

    def issue(self, user_id: str, ttl_s: float | None = None) -> IssuedToken:
        validate_user_id(user_id)
        now = self._clock.now()
        if ttl_s is not None and not math.isfinite(ttl_s):
            raise UsageError(f"token ttl {ttl_s!r} is not a number of seconds", "give a finite number")
        exp = now + (self.ttl_s if ttl_s is None else ttl_s)
        payload = _b64(json.dumps({"sub": user_id, "iat": int(now), "exp": exp}, separators=(",", ":")).encode())
        signed_part = f"{_VERSION}.{payload}"
        return IssuedToken(f"{signed_part}.{self._sign(signed_part)}", user_id, exp)

    def verify(self, token: str | None) -> str:
        """The user the token was issued to; AuthError when it is missing, forged or expired."""
        if not token:
            raise AuthError("missing_token", "no bearer token; log in with POST /v1/sessions and send "
                                             "'Authorization: Bearer <token>' (or ?token= on the WebSocket)")
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != _VERSION:
            raise AuthError("bad_token", "the token is not a v1.<payload>.<signature> token")
        signed_part = f"{parts[0]}.{parts[1]}"
        # compare_digest: the time to refuse must not tell a forger how many characters were right.
        if not hmac.compare_digest(self._sign(signed_part), parts[2]):
            raise AuthError("bad_token", "the token's signature does not match; it was not issued here")
        try:
            claims = json.loads(_unb64(parts[1]))
            user_id, exp = claims["sub"], float(claims["exp"])
        except (ValueError, KeyError, TypeError):
            raise AuthError("bad_token", "the token's payload is unreadable") from None
        now = self._clock.now()
        if not math.isfinite(exp) or now >= exp:
            raise AuthError("expired_token", "the token has expired; log in again with POST /v1/sessions")
        # A token may not outlive what this server would issue now (one minted with a longer
        # --token-ttl, before a restart with a shorter one, ends when the new limit says).
        if exp > now + self.ttl_s + 60:
            raise AuthError("expired_token", "the token's lifetime is longer than this server allows; log in again")
        if not isinstance(user_id, str):
            raise AuthError("bad_token", "the token's payload is unreadable")
        return user_id
