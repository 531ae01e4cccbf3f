"""Media uploads: a policy before any byte moves, presigned URLs, multipart, a local object store.

Following the chapter, files never travel over the chat socket. The client first asks
(`begin_upload`: name, size, mime type, and the file's first bytes); the policy refuses what it
must; the answer is a short-lived presigned URL — or, for a large video, a plan of 5 MiB parts,
each with its own URL — and the bytes go straight to the object store. Once stored, the client
sends a small metadata message over the chat (`metadata_text`).

The policy (sizes in MiB, as S3 counts them):
* images and any single upload at most 25 MiB; a video above that goes multipart, up to 1 GiB;
* only listed media types;
* executables are refused by their first bytes, whatever type is declared: Windows PE (`MZ`),
  ELF, Mach-O (all byte orders, and universal binaries), scripts (`#!`), WebAssembly, Android
  DEX. The check runs at the handshake (on the bytes the client says its file starts with)
  and again on the bytes that actually arrive, because a client can lie about both.

A presigned URL carries the object key, its limits and an expiry, signed with HMAC-SHA256 under
a server secret: change any byte of it and the signature no longer matches; use it after the
expiry and it is refused. Neither check needs any state on the server.

`LocalObjectStore` is the embedded engine's S3: a folder, objects written atomically (temp
file, then rename), multipart parts kept apart until `complete` joins them. Upload sessions
(which parts a multipart upload has) live in the `MediaService`'s memory.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from interview_coach.chat.design.errors import ChatError, SignatureError, UploadRefused
from interview_coach.clock import Clock
from interview_coach.errors import UsageError

MiB = 1024 * 1024
MAX_SINGLE_BYTES = 25 * MiB
MAX_MULTIPART_BYTES = 1024 * MiB
PART_BYTES = 5 * MiB
URL_TTL_S = 300
SNIFF_BYTES = 16

ALLOWED_TYPES = frozenset(
    {
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
        "video/mp4", "video/quicktime", "video/webm",
        "audio/mpeg", "audio/mp4", "audio/ogg", "audio/aac",
        "application/pdf", "text/plain",
    }
)  # fmt: skip

# First bytes of programs a device could be talked into running.
EXECUTABLE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows executable (MZ)"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or Java class"),
    (b"#!", "a script (#! line)"),
    (b"\xef\xbb\xbf#!", "a script (#! line)"),
    (b"\x00asm", "a WebAssembly module"),
    (b"dex\n", "an Android DEX file"),
)


def sniff_executable(head: bytes) -> str | None:
    """What kind of executable `head` (a file's first bytes) starts, or None."""
    for magic, what in EXECUTABLE_MAGIC:
        if head.startswith(magic):
            return what
    return None


def mib(n: int) -> str:
    value = n / MiB
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"


@dataclass(frozen=True)
class UploadPolicy:
    max_single_bytes: int = MAX_SINGLE_BYTES
    max_multipart_bytes: int = MAX_MULTIPART_BYTES
    part_bytes: int = PART_BYTES
    allowed_types: frozenset[str] = ALLOWED_TYPES

    def check(self, size: int, mime: str, head: bytes = b"") -> str:
        """"single" or "multipart" for an acceptable file; `UploadRefused` with the reason otherwise."""
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise UploadRefused("an empty or unsized file", "send the file's size in bytes", code="bad_request")
        mime = (mime or "").strip().lower()
        what = sniff_executable(head)
        if what:
            raise UploadRefused(
                f"the file is {what}, whatever its declared type ({mime or 'none'})", "executables cannot be sent"
            )
        if mime not in self.allowed_types:
            raise UploadRefused(f"type {mime or '(none)'} is not allowed", "send an image, video, audio, PDF or text file")
        if mime.startswith("image/") and size > self.max_single_bytes:
            raise UploadRefused(
                f"a {mib(size)} image is over the {mib(self.max_single_bytes)} limit", "resize it first", code="too_large"
            )
        if size <= self.max_single_bytes:
            return "single"
        if not mime.startswith("video/"):
            raise UploadRefused(
                f"a {mib(size)} {mime} file is over the {mib(self.max_single_bytes)} limit",
                "only videos may be larger",
                code="too_large",
            )
        if size > self.max_multipart_bytes:
            raise UploadRefused(
                f"a {mib(size)} video is over the {mib(self.max_multipart_bytes)} limit", "trim it first", code="too_large"
            )
        return "multipart"


# ---------------------------------------------------------------------- presigned URLs


@dataclass(frozen=True)
class SignedTarget:
    method: str
    key: str
    expires: int
    params: dict[str, str]


class UrlSigner:
    def __init__(self, secret: bytes, clock: Clock, *, base_path: str = "/v1/media/objects") -> None:
        if len(secret) < 16:
            raise UsageError("a signing secret needs at least 16 bytes", "use secrets.token_bytes(32)")
        self._secret = secret
        self._clock = clock
        self.base_path = base_path.rstrip("/")

    def _signature(self, method: str, key: str, expires: int, params: dict[str, str]) -> str:
        canonical = "\n".join([method.upper(), key, str(expires)] + [f"{k}={params[k]}" for k in sorted(params)])
        return hmac.new(self._secret, canonical.encode(), hashlib.sha256).hexdigest()

    def sign(self, method: str, key: str, *, expires_in: int = URL_TTL_S, params: dict[str, Any] | None = None) -> str:
        values = {k: str(v) for k, v in (params or {}).items()}
        if {"expires", "signature"} & values.keys():
            raise UsageError("'expires' and 'signature' are reserved URL parameters")
        expires = int(self._clock.now()) + int(expires_in)
        query = [*sorted(values.items()), ("expires", str(expires)), ("signature", self._signature(method, key, expires, values))]
        return f"{self.base_path}/{quote(key, safe='/')}?{urlencode(query)}"

    def verify(self, method: str, url: str) -> SignedTarget:
        parts = urlsplit(url)
        if not parts.path.startswith(self.base_path + "/"):
            raise SignatureError("this is not a presigned upload URL", "ask for a new one")
        key = unquote(parts.path[len(self.base_path) + 1 :])
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        signature = query.pop("signature", "")
        expires_raw = query.pop("expires", "")
        if not expires_raw.isdigit():
            raise SignatureError("the URL has no valid expiry", "ask for a new one")
        expires = int(expires_raw)
        expected = self._signature(method, key, expires, query)
        if not hmac.compare_digest(signature, expected):
            raise SignatureError("the URL's signature does not match: it was changed", "use the URL exactly as given")
        if self._clock.now() > expires:
            raise SignatureError(
                f"the URL expired {self._clock.now() - expires:.0f} s ago", "ask for a new one", code="expired"
            )
        return SignedTarget(method.upper(), key, expires, query)


# ---------------------------------------------------------------------- object store


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str


class ObjectStore(Protocol):
    async def put(self, key: str, data: bytes) -> ObjectInfo: ...

    async def put_part(self, upload_id: str, part_number: int, data: bytes) -> str:
        """Store one part; return its ETag (the part's SHA-256)."""
        ...

    async def complete(self, upload_id: str, key: str, etags: Sequence[tuple[int, str]]) -> ObjectInfo: ...

    async def abort(self, upload_id: str) -> None: ...

    async def head(self, key: str) -> ObjectInfo | None: ...

    async def get(self, key: str) -> bytes: ...


_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,400}$")


def check_key(key: str) -> str:
    if not _KEY_RE.match(key) or ".." in key or "//" in key:
        raise ChatError(f"object key {key!r} is not allowed", "letters, digits, '.', '_', '-' and '/' only")
    return key


class LocalObjectStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        (self.root / "objects").mkdir(parents=True, exist_ok=True)
        (self.root / "uploads").mkdir(parents=True, exist_ok=True)

    def _object_path(self, key: str) -> Path:
        return self.root / "objects" / check_key(key)

    def _upload_dir(self, upload_id: str) -> Path:
        if not re.fullmatch(r"[a-f0-9]{8,64}", upload_id):
            raise ChatError(f"upload id {upload_id!r} is not valid")
        return self.root / "uploads" / upload_id

    async def put(self, key: str, data: bytes) -> ObjectInfo:
        path = self._object_path(key)
        return await asyncio.to_thread(_write_atomic, path, [data], key)

    async def put_part(self, upload_id: str, part_number: int, data: bytes) -> str:
        folder = self._upload_dir(upload_id)
        info = await asyncio.to_thread(_write_atomic, folder / f"{part_number:05d}.part", [data], f"part {part_number}")
        return info.sha256

    async def complete(self, upload_id: str, key: str, etags: Sequence[tuple[int, str]]) -> ObjectInfo:
        folder = self._upload_dir(upload_id)
        return await asyncio.to_thread(self._complete_sync, folder, key, list(etags))

    def _complete_sync(self, folder: Path, key: str, etags: list[tuple[int, str]]) -> ObjectInfo:
        paths = []
        for number, etag in sorted(etags):
            path = folder / f"{number:05d}.part"
            if not path.exists():
                raise ChatError(f"part {number} was never uploaded", "upload it, then complete")
            paths.append((path, etag, number))
        chunks = []
        for path, etag, number in paths:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != etag:
                raise ChatError(f"part {number} does not match its ETag", "upload that part again")
            chunks.append(data)
        info = _write_atomic(self._object_path(key), chunks, key)
        for path, _, _ in paths:
            path.unlink()
        folder.rmdir()
        return info

    async def abort(self, upload_id: str) -> None:
        folder = self._upload_dir(upload_id)
        if folder.exists():
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()

    async def head(self, key: str) -> ObjectInfo | None:
        path = self._object_path(key)
        if not path.exists():
            return None
        return await asyncio.to_thread(lambda: ObjectInfo(key, path.stat().st_size, _sha256_file(path)))

    async def get(self, key: str) -> bytes:
        path = self._object_path(key)
        if not path.exists():
            raise ChatError(f"no object '{key}'", code="not_found")
        return await asyncio.to_thread(path.read_bytes)


def _write_atomic(path: Path, chunks: Sequence[bytes], name: str) -> ObjectInfo:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    digest = hashlib.sha256()
    size = 0
    with open(tmp, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    os.replace(tmp, path)
    return ObjectInfo(name, size, digest.hexdigest())


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(MiB), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------- the upload service


@dataclass(frozen=True)
class PartPlan:
    number: int  # 1-based, as S3 numbers parts
    offset: int
    size: int
    url: str


@dataclass(frozen=True)
class UploadTicket:
    key: str
    mode: str  # "single" or "multipart"
    size: int
    mime: str
    expires_in: int
    url: str | None = None  # single: PUT the whole file here
    upload_id: str | None = None  # multipart
    parts: tuple[PartPlan, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "mode": self.mode,
            "size": self.size,
            "mime": self.mime,
            "expires_in": self.expires_in,
            "url": self.url,
            "upload_id": self.upload_id,
            "parts": [{"number": p.number, "offset": p.offset, "size": p.size, "url": p.url} for p in self.parts],
        }


def plan_parts(size: int, part_bytes: int = PART_BYTES) -> list[tuple[int, int, int]]:
    """(number, offset, size) of each part: full parts and a shorter last one."""
    if size <= 0 or part_bytes <= 0:
        raise UsageError("a multipart plan needs a positive size and part size")
    return [(i + 1, off, min(part_bytes, size - off)) for i, off in enumerate(range(0, size, part_bytes))]


@dataclass
class _Upload:
    user_id: str
    key: str
    size: int
    mime: str
    filename: str
    parts: dict[int, int]  # number -> expected size
    received: dict[int, str] = field(default_factory=dict)  # number -> etag


def _safe_name(filename: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", os.path.basename(filename or "")).strip(".-")
    return (base or "file")[:80]


class MediaService:
    def __init__(
        self,
        objects: ObjectStore,
        signer: UrlSigner,
        clock: Clock,
        *,
        policy: UploadPolicy | None = None,
        url_ttl_s: int = URL_TTL_S,
        cdn_base: str = "https://cdn.chat.example/",
    ) -> None:
        self.objects = objects
        self.signer = signer
        self.clock = clock
        self.policy = policy or UploadPolicy()
        self.url_ttl_s = url_ttl_s
        self.cdn_base = cdn_base
        self._uploads: dict[str, _Upload] = {}
        self.refused: list[str] = []

    def begin_upload(self, user_id: str, filename: str, size: int, mime: str, head: bytes = b"") -> UploadTicket:
        """The pre-upload handshake: policy first, then a presigned URL or a multipart plan."""
        try:
            mode = self.policy.check(size, mime, head[:SNIFF_BYTES])
        except UploadRefused as exc:
            self.refused.append(exc.reason)
            raise
        mime = mime.strip().lower()
        key = check_key(f"media/{_safe_name(user_id)}/{secrets.token_hex(8)}/{_safe_name(filename)}")
        if mode == "single":
            url = self.signer.sign("PUT", key, expires_in=self.url_ttl_s, params={"size": size, "mime": mime})
            return UploadTicket(key, mode, size, mime, self.url_ttl_s, url=url)
        upload_id = secrets.token_hex(12)
        parts = []
        for number, offset, part_size in plan_parts(size, self.policy.part_bytes):
            url = self.signer.sign(
                "PUT", key, expires_in=self.url_ttl_s, params={"upload_id": upload_id, "part": number, "size": part_size}
            )
            parts.append(PartPlan(number, offset, part_size, url))
        self._uploads[upload_id] = _Upload(user_id, key, size, mime, filename, {p.number: p.size for p in parts})
        return UploadTicket(key, mode, size, mime, self.url_ttl_s, upload_id=upload_id, parts=tuple(parts))

    async def receive_put(self, url: str, body: bytes) -> ObjectInfo:
        """The presigned PUT of a whole file arriving at the object store."""
        target = self.signer.verify("PUT", url)
        if "upload_id" in target.params:
            raise SignatureError("this URL is for one part of a multipart upload", "PUT the part with receive_part")
        expected = int(target.params.get("size", "-1"))
        if len(body) != expected:
            raise UploadRefused(f"{len(body):,} bytes arrived where {expected:,} were signed for", code="bad_request")
        self._refuse_executable(bytes(body[:SNIFF_BYTES]), target.params.get("mime", ""))
        return await self.objects.put(target.key, bytes(body))

    async def receive_part(self, url: str, body: bytes | memoryview) -> tuple[int, str]:
        """One presigned part PUT; returns (part number, ETag)."""
        target = self.signer.verify("PUT", url)
        upload_id = target.params.get("upload_id", "")
        upload = self._uploads.get(upload_id)
        if upload is None or upload.key != target.key:
            raise ChatError("no such multipart upload (finished or aborted?)", "begin a new upload", code="not_found")
        number = int(target.params["part"])
        if len(body) != upload.parts.get(number, -1):
            raise UploadRefused(
                f"part {number}: {len(body):,} bytes arrived where {upload.parts.get(number, 0):,} were planned",
                code="bad_request",
            )
        if number == 1:
            self._refuse_executable(bytes(body[:SNIFF_BYTES]), upload.mime)
        etag = await self.objects.put_part(upload_id, number, bytes(body))
        upload.received[number] = etag
        return number, etag

    def upload_owner(self, upload_id: str) -> tuple[str, str, str] | None:
        """(user id, mime type, file name) of a multipart upload in progress, or None."""
        upload = self._uploads.get(upload_id)
        return (upload.user_id, upload.mime, upload.filename) if upload is not None else None

    async def complete(self, upload_id: str) -> ObjectInfo:
        upload = self._uploads.get(upload_id)
        if upload is None:
            raise ChatError("no such multipart upload", "begin a new upload", code="not_found")
        missing = sorted(set(upload.parts) - set(upload.received))
        if missing:
            raise ChatError(f"parts {missing} have not arrived", "upload them (only those), then complete")
        info = await self.objects.complete(upload_id, upload.key, sorted(upload.received.items()))
        if info.size != upload.size:
            raise ChatError(f"the object has {info.size:,} bytes, not the {upload.size:,} planned")
        del self._uploads[upload_id]
        return info

    def _refuse_executable(self, head: bytes, mime: str) -> None:
        what = sniff_executable(head)
        if what:
            reason = f"the bytes are {what}, whatever the declared type ({mime})"
            self.refused.append(reason)
            raise UploadRefused(reason, "executables cannot be sent")

    def metadata_text(self, info: ObjectInfo, mime: str, filename: str, **extra: Any) -> str:
        """The small JSON the client sends over the chat once the object is stored."""
        meta = {
            "object_key": info.key,
            "url": self.cdn_base + quote(info.key, safe="/"),
            "mime": mime,
            "size": info.size,
            "sha256": info.sha256,
            "filename": filename,
        }
        meta.update(extra)
        return json.dumps(meta, separators=(",", ":"))


# ---------------------------------------------------------------------- the client's side


@dataclass
class PartResult:
    number: int
    attempts: int
    etag: str


class PartUploadError(ChatError):
    code = "upload_failed"


async def upload_parts(
    ticket: UploadTicket,
    data: bytes,
    send_part: Callable[[str, memoryview], Awaitable[tuple[int, str]]],
    *,
    concurrency: int = 4,
    max_attempts: int = 3,
    on_attempt: Callable[[int, int, BaseException | None], None] | None = None,
) -> list[PartResult]:
    """Upload a multipart plan concurrently; a part that fails is retried alone.

    `send_part(url, part)` is the transport (an HTTP PUT in a real client); `part` is a view
    into `data`, not a copy. `on_attempt` hears
    (part number, attempt, error or None) for each try, for a trace.
    """
    if ticket.mode != "multipart":
        raise UsageError("this ticket is for a single upload; PUT the file to ticket.url")
    view = memoryview(data)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(part: PartPlan) -> PartResult:
        async with gate:
            for attempt in range(1, max_attempts + 1):
                try:
                    number, etag = await send_part(part.url, view[part.offset : part.offset + part.size])
                except (ConnectionError, TimeoutError, OSError) as exc:
                    if on_attempt is not None:
                        on_attempt(part.number, attempt, exc)
                    if attempt == max_attempts:
                        raise PartUploadError(
                            f"part {part.number} failed {max_attempts} times: {exc}", "try again later"
                        ) from exc
                    continue
                if on_attempt is not None:
                    on_attempt(part.number, attempt, None)
                return PartResult(number, attempt, etag)
        raise AssertionError("unreachable")

    return list(await asyncio.gather(*(one(p) for p in ticket.parts)))
