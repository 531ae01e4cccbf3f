"""The service's HTTP API with httpx against the ASGI app (embedded engine, a real SQLite store)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from interview_coach.chat.design.media import UploadPolicy
from interview_coach.chat.design.store import direct_channel_id
from interview_coach.chat.service.app import create_app
from interview_coach.chat.service.engines.deployment import open_embedded
from interview_coach.clock import FakeClock

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
async def api(tmp_path):
    clock = FakeClock()
    deployment = await open_embedded(tmp_path / "chat", servers=("A",), clock=clock)
    app = create_app(deployment)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chat.test")
    client.deployment = deployment
    client.clock = clock
    client.service = app.state.chat
    try:
        yield client
    finally:
        await client.aclose()
        await deployment.close()


async def login(api, user: str) -> dict[str, str]:
    response = await api.post("/v1/sessions", json={"user_id": user})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def send(api, headers, **body):
    body.setdefault("client_msg_id", f"c-{body['text']}")
    return await api.post("/v1/messages", json=body, headers=headers)


async def test_login_gives_a_token_and_the_socket_url(api):
    response = await api.post("/v1/sessions", json={"user_id": "alice"})
    body = response.json()
    assert response.status_code == 200 and body["user_id"] == "alice" and body["token_type"] == "bearer"
    assert body["ws_url"] == f"/v1/ws?token={body['token']}" and body["server_id"] == "A"


@pytest.mark.parametrize("user", ["", "a b", "x" * 65, "bob:evil"])
async def test_login_refuses_bad_names(api, user):
    response = await api.post("/v1/sessions", json={"user_id": user})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


async def test_login_refused_when_dev_login_is_off(api):
    api.deployment.dev_login = False
    response = await api.post("/v1/sessions", json={"user_id": "alice"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "login_disabled"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_token"),
        ({"Authorization": "Bearer v1.eyJzdWIiOiJhbGljZSJ9.forged"}, "bad_token"),
        ({"Authorization": "Basic YWxpY2U6cHc="}, "missing_token"),
    ],
)
async def test_calls_without_a_valid_token_are_401(api, headers, code):
    for method, path in [("GET", "/v1/conversations"), ("GET", "/v1/sync"), ("POST", "/v1/messages"),
                         ("GET", "/v1/channels/dm:a:b/messages"), ("POST", "/v1/groups"), ("POST", "/v1/media/uploads")]:
        response = await api.request(method, path, headers=headers, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["error"]["code"] == code
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_from_another_deployment_is_forged(api, tmp_path):
    other = await open_embedded(tmp_path / "other", servers=("A",))
    try:
        token = other.signer.issue("alice").token
    finally:
        await other.close()
    response = await api.get("/v1/conversations", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["error"]["code"] == "bad_token"


async def test_an_expired_token_is_401(api):
    headers = await login(api, "alice")
    assert (await api.get("/v1/conversations", headers=headers)).status_code == 200
    api.clock.advance(api.deployment.signer.ttl_s + 1)
    response = await api.get("/v1/conversations", headers=headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == "expired_token"


async def test_send_over_http_is_idempotent_and_readable_by_both_members_only(api):
    alice, bob, carol = await login(api, "alice"), await login(api, "bob"), await login(api, "carol")
    first = await send(api, alice, to="bob", text="hello", client_msg_id="m1")
    assert first.status_code == 200
    ack = first.json()
    assert ack["channel_id"] == direct_channel_id("alice", "bob") and not ack["duplicate"]
    again = (await send(api, alice, to="bob", text="hello", client_msg_id="m1")).json()
    assert again["duplicate"] and again["message_id"] == ack["message_id"]

    path = f"/v1/channels/{ack['channel_id']}/messages"
    for headers in (alice, bob):
        page = (await api.get(path, headers=headers)).json()
        assert [m["text"] for m in page["messages"]] == ["hello"]  # stored once, even before the flush
    refused = await api.get(path, headers=carol)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_member"
    assert (await api.get("/v1/channels/dm:nobody:noone/messages", headers=alice)).status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to": "bob", "text": "", "client_msg_id": "x"}, 400),
        ({"text": "hi", "client_msg_id": "x"}, 400),
        ({"to": "bob", "channel_id": "g", "text": "hi", "client_msg_id": "x"}, 400),
        ({"to": "bob bob", "text": "hi", "client_msg_id": "x"}, 400),
        ({"to": "bob", "text": "hi"}, 422),
        ({"to": "bob", "text": "hi", "client_msg_id": "x", "kind": "video"}, 422),
        ({"channel_id": "group:none", "text": "hi", "client_msg_id": "x"}, 404),
    ],
)
async def test_bad_sends_are_refused_with_a_code(api, body, status):
    response = await api.post("/v1/messages", json=body, headers=await login(api, "alice"))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"]


async def test_history_pages_by_keyset(api):
    alice = await login(api, "alice")
    for i in range(25):
        assert (await send(api, alice, to="bob", text=f"m{i}")).status_code == 200
    await api.deployment.persist.flush()
    channel = direct_channel_id("alice", "bob")
    texts, before = [], None
    while True:
        params = {"limit": 10} | ({"before": before} if before else {})
        page = (await api.get(f"/v1/channels/{channel}/messages", params=params, headers=alice)).json()
        texts += [m["text"] for m in page["messages"]]
        if not page["has_more"]:
            break
        before = page["next_before"]
    assert texts == [f"m{i}" for i in range(24, -1, -1)]
    assert (await api.get(f"/v1/channels/{channel}/messages", params={"limit": 0}, headers=alice)).status_code == 422


async def test_sync_returns_only_what_was_missed_per_channel(api):
    alice, bob = await login(api, "alice"), await login(api, "bob")
    group = (await api.post("/v1/groups", json={"name": "team", "members": ["bob"]}, headers=alice)).json()
    acks = [(await send(api, alice, to="bob", text=f"d{i}")).json() for i in range(3)]
    acks += [(await send(api, alice, channel_id=group["channel_id"], text=f"g{i}")).json() for i in range(2)]
    dm = acks[0]["channel_id"]
    everything = (await api.get("/v1/sync", headers=bob)).json()
    assert [m["text"] for m in everything["channels"][dm]["messages"]] == ["d0", "d1", "d2"]
    cursors = {dm: acks[1]["message_id"], group["channel_id"]: acks[3]["message_id"]}
    missed = (await api.get("/v1/sync", params={"cursors": json.dumps(cursors)}, headers=bob)).json()

    def after_cursor(channel: str) -> list[str]:
        # Snowflake ids are only loosely ordered across nodes, so sync may re-send a few ids
        # below the cursor (its look-back); a client drops those as ones it has.
        return [m["text"] for m in missed["channels"][channel]["messages"] if m["message_id"] > cursors[channel]]

    assert after_cursor(dm) == ["d2"]
    assert after_cursor(group["channel_id"]) == ["g1"]
    assert missed["cursors"][dm] == acks[2]["message_id"] and not missed["has_more"]

    bad = await api.get("/v1/sync", params={"cursors": "{nope"}, headers=bob)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    negative = await api.get("/v1/sync", params={"cursors": json.dumps({dm: -1})}, headers=bob)
    assert negative.status_code == 400
    stranger = await api.get("/v1/sync", params={"cursors": json.dumps({dm: 0})}, headers=await login(api, "carol"))
    assert stranger.status_code == 403


async def test_conversations_most_recent_first_with_a_cursor(api):
    alice = await login(api, "alice")
    for peer in ["bob", "carol", "dave"]:
        await send(api, alice, to=peer, text=f"hi {peer}")
    await api.deployment.persist.flush()
    first = (await api.get("/v1/conversations", params={"limit": 2}, headers=alice)).json()
    assert first["has_more"] and len(first["conversations"]) == 2
    rest = (await api.get("/v1/conversations", params={"limit": 2, "cursor": first["next_cursor"]}, headers=alice)).json()
    names = [c["channel_id"] for c in first["conversations"] + rest["conversations"]]
    assert names == [direct_channel_id("alice", p) for p in ["dave", "carol", "bob"]]
    bad = await api.get("/v1/conversations", params={"cursor": "garbage"}, headers=alice)
    assert bad.status_code == 400


async def test_groups_are_for_members(api):
    alice, carol = await login(api, "alice"), await login(api, "carol")
    created = await api.post("/v1/groups", json={"name": "team", "members": ["bob"]}, headers=alice)
    assert created.status_code == 201
    group = created.json()
    assert group["kind"] == "group" and group["name"] == "team"
    refused = await send(api, carol, channel_id=group["channel_id"], text="let me in")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_member"
    assert (await api.post("/v1/groups", json={"name": "solo", "members": []}, headers=alice)).status_code == 400
    bad_member = await api.post("/v1/groups", json={"name": "x", "members": ["b c"]}, headers=alice)
    assert bad_member.status_code == 400


async def test_media_single_upload_through_a_presigned_put(api):
    alice = await login(api, "alice")
    head = base64.b64encode(PNG[:16]).decode()
    ticket = (await api.post("/v1/media/uploads", json={"filename": "cat.png", "size": len(PNG), "mime_type": "image/png",
                                                        "head_b64": head}, headers=alice)).json()
    assert ticket["mode"] == "single" and ticket["url"].startswith("/v1/media/objects/")
    stored = await api.put(ticket["url"], content=PNG)  # no token: the URL is the grant
    assert stored.status_code == 200, stored.text
    meta = json.loads(stored.json()["message_text"])
    assert meta["size"] == len(PNG) and meta["mime"] == "image/png"
    ack = await send(api, alice, to="bob", text=stored.json()["message_text"], kind="media", client_msg_id="pic")
    assert ack.status_code == 200

    tampered = ticket["url"].replace("size=", "size=1")
    assert (await api.put(tampered, content=PNG)).status_code == 403
    api.clock.advance(3600)
    late = await api.put(ticket["url"], content=PNG)
    assert late.status_code == 403 and late.json()["error"]["code"] == "expired"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"filename": "x.png", "size": 100, "mime_type": "image/png", "head_b64": base64.b64encode(b"MZ\x90\x00").decode()},
         422, "refused"),
        ({"filename": "x.png", "size": 30 * 1024 * 1024, "mime_type": "image/png"}, 413, "too_large"),
        ({"filename": "x.exe", "size": 100, "mime_type": "application/x-msdownload"}, 422, "refused"),
        ({"filename": "x.png", "size": 100, "mime_type": "image/png", "head_b64": "%%%"}, 400, "bad_request"),
    ],
)
async def test_media_policy_refusals(api, body, status, code):
    response = await api.post("/v1/media/uploads", json=body, headers=await login(api, "alice"))
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_media_multipart_upload_with_one_part_resent(api):
    api.deployment.media.policy = UploadPolicy(max_single_bytes=1000, max_multipart_bytes=10_000, part_bytes=400)
    alice = await login(api, "alice")
    video = bytes(range(256)) * 9  # 2,304 bytes: 6 parts of 400 (the last 304)
    ticket = (await api.post("/v1/media/uploads", json={"filename": "clip.mp4", "size": len(video),
                                                        "mime_type": "video/mp4"}, headers=alice)).json()
    assert ticket["mode"] == "multipart" and len(ticket["parts"]) == 6
    for part in ticket["parts"]:
        chunk = video[part["offset"] : part["offset"] + part["size"]]
        response = await api.put(part["url"], content=chunk)
        assert response.status_code == 200 and response.headers["etag"] == response.json()["etag"]
    third = ticket["parts"][2]
    assert (await api.put(third["url"], content=video[third["offset"] : third["offset"] + third["size"]])).status_code == 200
    short = await api.put(third["url"], content=b"x")
    assert short.status_code == 400
    done = await api.post(f"/v1/media/uploads/{ticket['upload_id']}/complete", headers=alice)
    assert done.status_code == 200, done.text
    assert done.json()["size"] == len(video)
    assert json.loads(done.json()["message_text"])["mime"] == "video/mp4"
    assert await api.deployment.media.objects.get(ticket["key"]) == video


async def test_health_metrics_and_openapi(api):
    health = await api.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok" and health.json()["engine"] == "embedded"
    alice = await login(api, "alice")
    await send(api, alice, to="bob", text="one")
    text = (await api.get("/metrics")).text
    assert 'chat_connections{server_id="A",engine="embedded"} 0' in text
    assert 'chat_messages_total{server_id="A",engine="embedded"} 1' in text
    assert 'queue="write_behind"' in text and "chat_messages_per_second" in text
    as_json = (await api.get("/metrics", params={"format": "json"})).json()
    assert as_json["messages_total"] == 1 and set(as_json["queue_depth"]) >= {"write_behind", "fanout", "bus", "outbound"}
    spec = (await api.get("/openapi.json")).json()
    for path in ["/v1/sessions", "/v1/messages", "/v1/conversations", "/v1/sync", "/v1/channels/{channel_id}/messages",
                 "/v1/groups", "/v1/media/uploads", "/v1/media/objects/{key}", "/healthz", "/metrics"]:
        assert path in spec["paths"], path


async def test_draining_refuses_new_work_with_503(api):
    alice = await login(api, "alice")
    await send(api, alice, to="bob", text="before")
    await api.service.drain(timeout=1)
    health = await api.get("/healthz")
    assert health.status_code == 503 and health.json()["status"] == "draining"
    refused = await send(api, alice, to="bob", text="after")
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "draining"


async def test_only_the_uploader_completes_a_multipart_upload(api):
    api.deployment.media.policy = UploadPolicy(max_single_bytes=1000, max_multipart_bytes=10_000, part_bytes=400)
    alice, mallory = await login(api, "alice"), await login(api, "mallory")
    ticket = (await api.post("/v1/media/uploads", json={"filename": "clip.mp4", "size": 1500,
                                                        "mime_type": "video/mp4"}, headers=alice)).json()
    refused = await api.post(f"/v1/media/uploads/{ticket['upload_id']}/complete", headers=mallory)
    assert refused.status_code == 403
    missing = await api.post(f"/v1/media/uploads/{ticket['upload_id']}/complete", headers=alice)
    assert missing.status_code == 400 and "have not arrived" in missing.json()["error"]["message"]
