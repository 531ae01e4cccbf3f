"""Bearer tokens and user names, without a server."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.chat.service.auth import AuthError, TokenSigner, validate_user_id
from interview_coach.clock import FakeClock
from interview_coach.errors import UsageError

SECRET = b"s" * 32
users = st.from_regex(r"[A-Za-z0-9_.\-]{1,64}", fullmatch=True)


def test_issued_token_verifies_to_its_user():
    signer = TokenSigner(SECRET, FakeClock())
    assert signer.verify(signer.issue("alice").token) == "alice"


def test_expired_token_is_refused():
    clock = FakeClock()
    signer = TokenSigner(SECRET, clock, ttl_s=60)
    token = signer.issue("alice").token
    clock.advance(59)
    assert signer.verify(token) == "alice"
    clock.advance(1)
    with pytest.raises(AuthError) as err:
        signer.verify(token)
    assert err.value.code == "expired_token"


def test_token_from_another_secret_is_forged():
    token = TokenSigner(b"x" * 32, FakeClock()).issue("alice").token
    with pytest.raises(AuthError) as err:
        TokenSigner(SECRET, FakeClock()).verify(token)
    assert err.value.code == "bad_token"


def test_changed_payload_breaks_the_signature():
    signer = TokenSigner(SECRET, FakeClock())
    alice = signer.issue("alice").token.split(".")
    mallory = signer.issue("mallory").token.split(".")
    with pytest.raises(AuthError):
        signer.verify(".".join([alice[0], mallory[1], alice[2]]))


@pytest.mark.parametrize("token", [None, "", "abc", "v1.a", "v2.a.b", "v1..", "v1.e30.x"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(AuthError) as err:
        TokenSigner(SECRET, FakeClock()).verify(token)
    assert err.value.code in ("missing_token", "bad_token")


def test_short_secret_is_refused():
    with pytest.raises(UsageError):
        TokenSigner(b"short", FakeClock())


@pytest.mark.parametrize("bad", ["", "a b", "x" * 65, "al:ice", "ü", 7])
def test_bad_user_names(bad):
    with pytest.raises(UsageError):
        validate_user_id(bad)


@given(users, st.integers(min_value=1, max_value=30 * 24 * 3600))
def test_any_user_round_trips(user, ttl):
    clock = FakeClock()
    signer = TokenSigner(SECRET, clock, ttl_s=ttl)
    token = signer.issue(user).token
    assert signer.verify(token) == user
    clock.advance(ttl)
    with pytest.raises(AuthError):
        signer.verify(token)
