"""Client frame parsing: what is accepted, and the error code for everything else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interview_coach.chat.service.frames import (
    MAX_FRAME_BYTES,
    DeliveredFrame,
    FrameError,
    PingFrame,
    RoomFrame,
    SendFrame,
    parse_client_frame,
)


def test_send_to_a_user():
    f = parse_client_frame(json.dumps({"type": "send", "to": "bob", "text": "hi", "client_msg_id": "c1"}))
    assert f == SendFrame(text="hi", client_msg_id="c1", to="bob")


def test_send_to_a_channel_and_other_types():
    assert parse_client_frame('{"type":"send","channel_id":"g:1","text":"x","client_msg_id":"c"}').channel_id == "g:1"
    media = parse_client_frame('{"type":"send","to":"bob","text":"{}","client_msg_id":"c","kind":"media"}')
    assert media.kind == "media"
    assert parse_client_frame('{"type":"delivered","message_id":5}') == DeliveredFrame(5)
    assert parse_client_frame('{"type":"typing","channel_id":"g:1"}') == RoomFrame("typing", "g:1")
    assert parse_client_frame('{"type":"enter_room","channel_id":"g:1"}').type == "enter_room"
    assert isinstance(parse_client_frame('{"type":"ping"}'), PingFrame)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        (b"\xff\xfe", "bad_json"),
        ("[1,2]", "bad_frame"),
        ('{"type":"shout"}', "unknown_type"),
        ('{"no":"type"}', "unknown_type"),
        ('{"type":"send","text":"x","client_msg_id":"c"}', "bad_frame"),
        ('{"type":"send","to":"a","channel_id":"b","text":"x","client_msg_id":"c"}', "bad_frame"),
        ('{"type":"send","to":"a b","text":"x","client_msg_id":"c"}', "bad_frame"),
        ('{"type":"send","to":"bob","text":5,"client_msg_id":"c"}', "bad_frame"),
        ('{"type":"send","to":"bob","text":"x"}', "bad_frame"),
        ('{"type":"send","to":"bob","text":"","client_msg_id":"c"}', "bad_frame"),
        ('{"type":"send","to":"bob","text":"x","client_msg_id":"c","kind":"video"}', "bad_frame"),
        ('{"type":"delivered","message_id":"7"}', "bad_frame"),
        ('{"type":"delivered","message_id":true}', "bad_frame"),
        ('{"type":"typing"}', "bad_frame"),
    ],
)
def test_bad_frames_have_codes(raw, code):
    with pytest.raises(FrameError) as err:
        parse_client_frame(raw)
    assert err.value.code == code
    frame = err.value.frame()
    assert frame["type"] == "error" and frame["code"] == code and frame["message"]


def test_oversize_frame_is_refused_before_parsing():
    raw = json.dumps({"type": "send", "to": "bob", "text": "x" * MAX_FRAME_BYTES, "client_msg_id": "c9"})
    with pytest.raises(FrameError) as err:
        parse_client_frame(raw)
    assert err.value.code == "too_large" and str(MAX_FRAME_BYTES) in err.value.message


def test_error_of_a_send_carries_its_client_msg_id():
    with pytest.raises(FrameError) as err:
        parse_client_frame('{"type":"send","to":"bob","text":7,"client_msg_id":"c42"}')
    assert err.value.frame()["client_msg_id"] == "c42"


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                              lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                              max_leaves=10).map(json.dumps)))
def test_any_input_parses_or_raises_a_frame_error(raw):
    try:
        parse_client_frame(raw)
    except FrameError as exc:
        assert exc.code in {"bad_json", "bad_frame", "unknown_type", "too_large"}
