"""Media: the pre-upload policy, presigned URLs, multipart with a retried part, the object store."""

from __future__ import annotations

import asyncio
import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.chat.design.errors import ChatError, SignatureError, UploadRefused
from interview_coach.chat.design.media import (
    EXECUTABLE_MAGIC,
    LocalObjectStore,
    MediaService,
    MiB,
    PartUploadError,
    UploadPolicy,
    UrlSigner,
    plan_parts,
    sniff_executable,
    upload_parts,
)
from interview_coach.clock import FakeClock
from interview_coach.errors import UsageError

from .conftest import arun

SECRET = b"test-secret-0123456789abcdef"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def media(tmp_path, clock) -> MediaService:
    return MediaService(LocalObjectStore(tmp_path / "objects"), UrlSigner(SECRET, clock), clock)


def test_policy_sizes_and_types() -> None:
    policy = UploadPolicy()
    assert policy.check(25 * MiB, "image/jpeg", JPEG) == "single"
    assert policy.check(30 * MiB, "video/mp4") == "multipart"
    refusals = {
        (25 * MiB + 1, "image/png"): "over the 25 MB limit",
        (30 * MiB, "application/pdf"): "only videos",
        (2048 * MiB, "video/mp4"): "1024 MB limit",
        (100, "application/x-msdownload"): "not allowed",
        (100, ""): "not allowed",
        (0, "image/png"): "empty",
        (-5, "image/png"): "empty",
    }
    for (size, mime), words in refusals.items():
        with pytest.raises(UploadRefused, match=words):
            policy.check(size, mime)


@pytest.mark.parametrize("magic,what", EXECUTABLE_MAGIC)
@pytest.mark.parametrize("declared", ["image/jpeg", "application/pdf", "text/plain", "video/mp4"])
def test_executables_are_refused_by_their_first_bytes_whatever_the_type(magic, what, declared) -> None:
    with pytest.raises(UploadRefused) as caught:
        UploadPolicy().check(1000, declared, magic + b"\x00" * 8)
    assert what in caught.value.reason and declared in caught.value.reason


def test_harmless_first_bytes_pass() -> None:
    for head in (JPEG, b"\x89PNG\r\n\x1a\n", b"%PDF-1.7", b"\x00\x00\x00\x18ftypmp42", b"Mozilla", b"#include"):
        assert sniff_executable(head) is None


def test_a_presigned_single_upload_lands_in_the_object_store(media) -> None:
    body = JPEG + bytes(1000)
    ticket = media.begin_upload("alice", "../../etc/photo.jpg", len(body), "image/jpeg", body[:16])
    assert ticket.mode == "single" and ticket.url and "signature=" in ticket.url
    assert ".." not in ticket.key and ticket.key.endswith("/photo.jpg")  # only the base name is kept
    info = arun(media.receive_put(ticket.url, body))
    assert info.size == len(body) and info.sha256 == hashlib.sha256(body).hexdigest()
    assert arun(media.objects.get(ticket.key)) == body
    meta = media.metadata_text(info, "image/jpeg", "photo.jpg", width=800)
    assert '"object_key"' in meta and '"width":800' in meta and len(meta) < 400


def _with_param(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query[key] = value
    return f"{parts.path}?{urlencode(query)}"


def test_any_changed_byte_of_a_presigned_url_is_refused(media) -> None:
    body = JPEG + bytes(100)
    url = media.begin_upload("alice", "a.jpg", len(body), "image/jpeg", body).url
    assert url is not None
    tampered = [
        _with_param(url, "size", str(len(body) * 100)),
        _with_param(url, "mime", "text/plain"),
        _with_param(url, "expires", "9999999999"),
        _with_param(url, "signature", "0" * 64),
        url.replace("/media/alice/", "/media/mallory/"),
        url.split("&signature")[0],
    ]
    for bad in tampered:
        with pytest.raises(SignatureError):
            arun(media.receive_put(bad, body))
    with pytest.raises(UploadRefused, match="signed for"):
        arun(media.receive_put(url, body + b"extra"))
    with pytest.raises(SignatureError):
        arun(media.receive_put("/elsewhere/x?expires=1&signature=00", body))


def test_a_late_presigned_url_is_refused(media, clock) -> None:
    body = JPEG + bytes(100)
    ticket = media.begin_upload("alice", "a.jpg", len(body), "image/jpeg", body)
    clock.advance(ticket.expires_in - 1)
    arun(media.receive_put(ticket.url, body))  # still in time
    clock.advance(2)
    with pytest.raises(SignatureError) as caught:
        arun(media.receive_put(ticket.url, body))
    assert caught.value.code == "expired"


def test_an_executable_is_caught_on_arrival_even_when_the_handshake_lied(media) -> None:
    ticket = media.begin_upload("alice", "song.mp3", 1000, "audio/mpeg")  # no first bytes given
    with pytest.raises(UploadRefused, match="Windows executable"):
        arun(media.receive_put(ticket.url, b"MZ" + bytes(998)))
    assert arun(media.objects.head(ticket.key)) is None


@given(size=st.integers(1, 200 * MiB))
def test_multipart_plans_cover_the_file_exactly(size) -> None:
    parts = plan_parts(size)
    assert parts[0][1] == 0 and sum(p[2] for p in parts) == size
    assert all(p[2] == 5 * MiB for p in parts[:-1]) and 0 < parts[-1][2] <= 5 * MiB
    assert [p[0] for p in parts] == list(range(1, len(parts) + 1))


def _video(size: int) -> bytes:
    return (b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * (size // 256 + 1))[:size]


def test_sixty_megabytes_in_twelve_parts_with_one_part_retried_alone(media) -> None:
    video = _video(60 * MiB)
    ticket = media.begin_upload("alice", "talk.mp4", len(video), "video/mp4", video[:16])
    assert ticket.mode == "multipart" and len(ticket.parts) == 12
    calls: list[int] = []
    failed: set[int] = set()

    async def flaky(url, body):
        number = int(dict(parse_qsl(urlsplit(url).query))["part"])
        calls.append(number)
        if number == 7 and number not in failed:
            failed.add(number)
            raise ConnectionResetError("dropped")
        return await media.receive_part(url, body)

    async def main():
        results = await upload_parts(ticket, video, flaky, concurrency=4)
        info = await media.complete(ticket.upload_id)
        return results, info

    results, info = arun(main())
    assert sorted(calls) == sorted([*range(1, 13), 7])  # every part once, part 7 twice
    assert [r.attempts for r in results] == [2 if r.number == 7 else 1 for r in results]
    assert info.size == 60 * MiB and info.sha256 == hashlib.sha256(video).hexdigest()


def test_multipart_errors(media) -> None:
    video = _video(11 * MiB)
    ticket = media.begin_upload("alice", "v.mp4", 30 * MiB, "video/mp4")
    assert len(ticket.parts) == 6
    with pytest.raises(ChatError, match="have not arrived"):
        arun(media.complete(ticket.upload_id))

    async def always_down(url, body):
        raise ConnectionRefusedError("no network")

    with pytest.raises(PartUploadError, match="failed 2 times"):
        arun(upload_parts(ticket, video, always_down, max_attempts=2))
    with pytest.raises(UploadRefused, match="planned"):
        arun(media.receive_part(ticket.parts[0].url, b"short"))
    evil = media.begin_upload("alice", "e.mp4", 30 * MiB, "video/mp4")
    with pytest.raises(UploadRefused, match="ELF"):
        arun(media.receive_part(evil.parts[0].url, b"\x7fELF" + bytes(5 * MiB - 4)))
    with pytest.raises(UsageError):
        arun(upload_parts(media.begin_upload("a", "x.jpg", 10, "image/jpeg"), b"x" * 10, always_down))
    with pytest.raises(SignatureError):
        arun(media.receive_put(ticket.parts[0].url, bytes(5 * MiB)))


def test_object_keys_cannot_escape_the_folder(tmp_path) -> None:
    store = LocalObjectStore(tmp_path)
    for key in ("../x", "/etc/passwd", "a/../../b", "a//b", ""):
        with pytest.raises(ChatError):
            arun(store.put(key, b"x"))
    with pytest.raises(ChatError):
        arun(store.put_part("../../x", 1, b"x"))


def test_signer_needs_a_real_secret(clock) -> None:
    with pytest.raises(UsageError):
        UrlSigner(b"short", clock)
    with pytest.raises(UsageError):
        UrlSigner(SECRET, clock).sign("PUT", "k", params={"signature": "x"})
    asyncio.run(asyncio.sleep(0))
