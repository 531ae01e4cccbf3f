"""`interview-coach summary`: files, formats, the reference, and every bad input as one line with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ANSWERS = Path(__file__).parent.parent / "summary" / "fixtures" / "chat-answers.yaml"


def one_line_error(result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert "\n" not in err and "Traceback" not in result.output, err
    assert err.startswith("error: ")
    for needle in needles:
        assert needle in err, err


@pytest.fixture
def session_id(invoke):
    result = invoke("practice", "--answers", str(ANSWERS), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["session_id"]


def test_reference_to_stdout(invoke):
    result = invoke("summary", "--reference", "whatsapp")  # an alias of chat
    assert result.exit_code == 0
    assert result.stdout.startswith("# Real-time chat app (WhatsApp / Slack): reference design\n")
    assert result.stderr == ""


def test_reference_html_to_a_file_picked_by_suffix(invoke, tmp_path):
    out = tmp_path / "chat.html"
    result = invoke("summary", "--reference", "chat", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote {out} (HTML)."
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary file left behind


def test_explicit_format_wins_over_the_suffix(invoke, tmp_path):
    out = tmp_path / "chat.html"
    assert invoke("summary", "-r", "chat", "-o", str(out), "--format", "md").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Real-time chat app")


def test_output_dash_is_stdout(invoke):
    result = invoke("summary", "-r", "url_shortener", "-o", "-", "-f", "html")
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")


def test_latest_by_default_and_by_id(invoke, session_id, tmp_path):
    latest = invoke("summary")
    assert latest.exit_code == 0, latest.output
    assert latest.stdout.startswith(f"# Real-time chat app (WhatsApp / Slack): mock interview #{session_id}\n")
    assert invoke("summary", "latest").stdout == latest.stdout
    assert invoke("summary", str(session_id)).stdout == latest.stdout
    out = tmp_path / "s.md"
    assert invoke("summary", str(session_id), "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == latest.stdout


def test_no_session_yet(invoke):
    one_line_error(invoke("summary"), "no practice session yet", "interview-coach practice")


def test_unknown_session_id(invoke):
    one_line_error(invoke("summary", "42"), "no practice session with id 42", "history")


def test_session_id_that_is_not_a_number(invoke):
    one_line_error(invoke("summary", "yesterday"), "'yesterday' is not a session id")


def test_unknown_format(invoke):
    one_line_error(invoke("summary", "-r", "chat", "--format", "pdf"), "--format: 'pdf' is not a format", "md, html or svg")


def test_unknown_reference(invoke):
    one_line_error(invoke("summary", "--reference", "chatt"), "unknown problem 'chatt'", "chat")


def test_session_and_reference_together(invoke):
    one_line_error(invoke("summary", "3", "--reference", "chat"), "not both")


def test_output_in_a_missing_folder(invoke, tmp_path):
    one_line_error(invoke("summary", "-r", "chat", "-o", str(tmp_path / "nope" / "x.md")), "does not exist")


def test_output_that_is_a_folder(invoke, tmp_path):
    one_line_error(invoke("summary", "-r", "chat", "-o", str(tmp_path)), "is a folder")


def test_output_under_a_file(invoke, tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    one_line_error(invoke("summary", "-r", "chat", "-o", str(blocker / "x.md")), "does not exist")


def test_user_template_overrides_and_html_stays_escaped(invoke, tmp_path):
    folder = tmp_path / "content" / "summary"
    folder.mkdir(parents=True)
    (folder / "reference.md.j2").write_text("# {{ problem.title }} ({{ apis | length }} APIs)\n")
    (folder / "reference.html.j2").write_text("<h1>{{ problem.title }}</h1><p>{{ '<script>' }}</p>\n")
    md = invoke("--content-dir", str(tmp_path / "content"), "summary", "-r", "chat")
    assert md.stdout == "# Real-time chat app (WhatsApp / Slack) (8 APIs)\n"
    html = invoke("--content-dir", str(tmp_path / "content"), "summary", "-r", "chat", "-f", "html")
    assert html.stdout == "<h1>Real-time chat app (WhatsApp / Slack)</h1><p>&lt;script&gt;</p>\n"



def test_user_partial_mixes_with_package_templates(invoke, tmp_path):
    folder = tmp_path / "content" / "summary"
    folder.mkdir(parents=True)
    (folder / "_style.css.j2").write_text("body { font-family: Georgia, serif; }\n")
    html = invoke("--content-dir", str(tmp_path / "content"), "summary", "-r", "chat", "-f", "html").stdout
    assert html.startswith("<!DOCTYPE html>")  # the package's page...
    assert "<style>\nbody { font-family: Georgia, serif; }\n</style>" in html  # ...with the user's stylesheet


def test_broken_user_template_is_one_line_with_its_place(invoke, tmp_path):
    folder = tmp_path / "content" / "summary"
    folder.mkdir(parents=True)
    (folder / "reference.md.j2").write_text("# ok\n{% for x in %}\n")
    one_line_error(invoke("--content-dir", str(tmp_path / "content"), "summary", "-r", "chat"), "reference.md.j2:2", "template syntax")
    (folder / "reference.md.j2").write_text("# ok\n\n{{ no_such_field }}\n")
    one_line_error(invoke("--content-dir", str(tmp_path / "content"), "summary", "-r", "chat"), "reference.md.j2:3", "no_such_field")


def test_help_has_an_example(invoke):
    result = invoke("summary", "--help")
    assert result.exit_code == 0 and "Example: interview-coach summary" in result.stdout


def test_history_links_each_session_to_its_summary(invoke, session_id):
    listed = json.loads(invoke("history", "--json").stdout)
    assert listed[0]["summary"] == f"interview-coach summary {session_id}"
    command = listed[0]["summary"].split()[1:]
    assert invoke(*command).stdout.startswith("# Real-time chat app")
    table = invoke("history").stdout
    assert f"summary {session_id}" in table and "interview-coach summary ID" in table


def test_svg_format_writes_one_file_per_diagram(invoke, tmp_path):
    import xml.etree.ElementTree as ET

    folder = tmp_path / "diagrams"  # made when missing
    result = invoke("summary", "--reference", "chat", "--format", "svg", "--output", str(folder))
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in folder.iterdir())
    assert files[0] == "01-architecture.svg" and len(files) == 8 and "03-flow-delivery.svg" in files
    for name in files:
        text = (folder / name).read_text(encoding="utf-8")
        assert text.startswith("<?xml") and ET.fromstring(text.split("\n", 1)[1]).tag.endswith("svg")
    assert result.stdout.startswith(f"Wrote 8 diagrams to {folder}")


def test_svg_format_of_a_session(invoke, session_id, tmp_path):
    result = invoke("summary", str(session_id), "-f", "svg", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names[:2] == ["01-your-architecture.svg", "02-your-data-flow.svg"]
    assert "03-reference-architecture.svg" in names


def test_json_gives_the_parts_and_the_diagrams(invoke, session_id):
    data = json.loads(invoke("summary", "--reference", "chat", "--json").stdout)
    assert data["document"] == "reference" and data["problem"]["id"] == "chat"
    assert [d["name"] for d in data["diagrams"]][:2] == ["01-architecture", "02-flow-connect"]
    assert all(d["mermaid"].startswith(("flowchart", "sequenceDiagram")) for d in data["diagrams"])
    session = json.loads(invoke("summary", "latest", "--json").stdout)
    assert session["document"] == "session" and session["session"]["id"] == session_id
    assert session["scorecard"]["score"] >= 0 and session["diagrams"][0]["title"] == "Your architecture"


def test_svg_and_json_bad_input(invoke, tmp_path):
    a_file = tmp_path / "x.html"
    a_file.write_text("keep me")
    one_line_error(invoke("summary", "-r", "chat", "-f", "svg"), "--format svg writes one file per diagram", "--output DIR")
    one_line_error(invoke("summary", "-r", "chat", "-f", "svg", "-o", str(a_file)), "is a file")
    one_line_error(invoke("summary", "-r", "chat", "-f", "svg", "-o", str(tmp_path / "no" / "dir")), "does not exist")
    one_line_error(invoke("summary", "-r", "chat", "--json", "-f", "md"), "--json and --format")
    assert a_file.read_text() == "keep me"
