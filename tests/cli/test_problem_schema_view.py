"""The schema panel of `problems show`: keywords picked out, comments dimmed, the text unchanged."""

from __future__ import annotations

from interview_coach.ui.problem_view import schema_text


def spans_of(text):
    return {(text.plain[s.start:s.end], str(s.style)) for s in text.spans}


def test_keywords_are_bold_and_the_text_is_kept_whole():
    definition = (
        "CREATE TABLE messages (\n  id bigint,  -- a Snowflake id\n  PRIMARY KEY (channel_id, id)\n"
        ") WITH CLUSTERING ORDER BY (id DESC);\n"
    )
    text = schema_text(definition)
    assert text.plain == definition.rstrip()
    found = spans_of(text)
    for word in ("CREATE", "TABLE", "PRIMARY", "KEY", "CLUSTERING", "DESC"):
        assert (word, "bold cyan") in found
    assert ("-- a Snowflake id", "dim") in found
    # names that merely contain a keyword are left alone
    assert not any(w in ("messages", "channel_id", "bigint") for w, _ in found)


def test_lower_case_sql_is_recognised():
    found = spans_of(schema_text("create table t (k text primary key)"))
    assert {("create", "bold cyan"), ("table", "bold cyan"), ("primary", "bold cyan"), ("key", "bold cyan")} <= found
