"""Problem-card presets: every card's stated numbers agree with the calculator."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interview_coach.errors import NotFoundError
from interview_coach.estimation.calculator import calculate, parse_inputs
from interview_coach.estimation.presets import check_stated, load_preset
from interview_coach.paths import data_dir

CARDS = sorted((data_dir("frameworks") / "problems").glob("*.yaml"))


@pytest.mark.skipif(not CARDS, reason="no problem cards yet")
@pytest.mark.parametrize("path", CARDS, ids=[p.stem for p in CARDS])
def test_every_cards_stated_numbers_agree_with_the_calculator(path: Path):
    card = yaml.safe_load(path.read_text(encoding="utf-8"))
    estimation = card.get("estimation") or {}
    assert estimation.get("inputs"), f"{path.name} has no estimation.inputs"
    estimate = calculate(parse_inputs(estimation["inputs"], source=str(path)))
    assert check_stated(estimation.get("stated") or {}, estimate) == []


def test_check_stated_reports_disagreements_and_unknown_names():
    estimate = calculate(parse_inputs({"dau": "50M", "writes_per_user": 100}))
    assert check_stated({"daily_writes": 5.04e9}, estimate) == []  # within 1%
    problems = check_stated({"daily_writes": 5.1e9, "avg_write_qps": 60_000, "qps": 1, "storage_total_bytes": 1}, estimate)
    assert problems[0].startswith("daily_writes: states 5.1e+09")
    assert problems[1].startswith("avg_write_qps: states 60,000")  # 3.7% off: the rounded figure is not the exact one
    assert problems[2].startswith("qps: not a result name")
    assert problems[3] == "storage_total_bytes: the inputs do not give this result"


CHAT = data_dir("frameworks") / "problems" / "chat.yaml"


@pytest.mark.skipif(not CHAT.exists(), reason="the chat card is not written yet")
def test_chat_preset_reproduces_the_chapter():
    preset = load_preset("chat")
    assert preset.name == "chat"
    results = calculate(preset.parsed()).results
    assert results["daily_writes"].value == 5e9
    assert round(results["avg_write_qps"].value) == 57_870
    assert results["avg_write_qps"].rounded == "about 60K/s"
    assert round(results["peak_write_qps"].value) == 115_741
    assert results["storage_per_day_bytes"].value == 500e9
    assert results["storage_total_bytes"].value == 912.5e12
    assert results["avg_ingress_bytes_per_s"].rounded.startswith("about 6 MB/s")
    assert results["avg_ingress_bytes_per_s"].shortcut.endswith("6 MB/s (48 Mbps)")
    assert results["peak_ingress_bytes_per_s"].shortcut.endswith("12 MB/s (96 Mbps)")
    assert results["avg_egress_bytes_per_s"].value == results["avg_ingress_bytes_per_s"].value
    assert results["concurrent_connections"].value == 5e6


def test_unknown_preset():
    with pytest.raises(NotFoundError, match="unknown problem 'no_such_card'"):
        load_preset("no_such_card")


def test_a_preset_from_the_users_content_folder(tmp_path):
    if not CHAT.exists():
        pytest.skip("the chat card is not written yet")
    card = yaml.safe_load(CHAT.read_text(encoding="utf-8"))
    card["id"] = "my_chat"
    card["aliases"] = []
    card["estimation"]["inputs"]["dau"] = "5M"
    card["estimation"]["stated"] = {}
    (tmp_path / "problems").mkdir()
    (tmp_path / "problems" / "my_chat.yaml").write_text(yaml.safe_dump(card), encoding="utf-8")
    preset = load_preset("my_chat", tmp_path)
    assert calculate(preset.parsed()).results["daily_writes"].value == 5e8
    assert preset.path == tmp_path / "problems" / "my_chat.yaml"
