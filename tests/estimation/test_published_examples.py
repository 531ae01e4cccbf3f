"""Published back-of-the-envelope estimates, reproduced from command-line flags alone.

Each test runs `interview-coach estimate` with the flags a reader would type for the worked
example, and checks the calculator's exact figures against the published ones within 5 %
(the published figures are themselves rounded), and the spoken figure where the source says one.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from interview_coach.cli.main import app

TOLERANCE = 0.05


def estimate(*flags: str) -> dict[str, dict]:
    result = CliRunner().invoke(app, ["estimate", *flags, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["results"]


def near(value: float, published: float) -> bool:
    return abs(value - published) <= TOLERANCE * published


def test_twitter_with_monthly_actives_an_active_share_and_a_media_fraction():
    # Alex Xu, System Design Interview vol. 1, ch. 2 "Back-of-the-envelope estimation", example
    # "Estimate Twitter QPS and storage requirements": 300M MAU, 50% use it daily, 2 tweets a day,
    # 10% of tweets carry 1 MB of media, 5 years -> ~3,500 QPS, peak ~7,000, 30 TB/day of media,
    # ~55 PB of media over 5 years. Text is tweet_id 64 B + text 140 B.
    r = estimate("--mau", "300M", "--active-fraction", "50%", "--writes-per-user", "2",
                 "--item", "text:204B", "--item", "media:1MB@10%", "--years", "5")
    assert r["daily_active_users"]["value"] == 150_000_000
    assert "300,000,000 monthly actives x 50% active" in r["daily_active_users"]["formula"]
    assert near(r["avg_write_qps"]["value"], 3_500)
    assert r["avg_write_qps"]["rounded"] == "about 3.5K/s"
    assert near(r["peak_write_qps"]["value"], 7_000)
    assert "peak factor, assumed" in r["peak_write_qps"]["formula"]
    assert near(r["storage_per_day_bytes.media"]["value"], 30e12)
    assert near(r["storage_total_bytes.media"]["value"], 55e15)
    assert r["storage_total_bytes.media"]["rounded"] == "about 55 PB"
    assert "1 MB" in r["storage_per_day_bytes.media"]["formula"] and "10%" in r["storage_per_day_bytes.media"]["formula"]


def test_twitter_dau_as_a_product():
    r = estimate("--dau", "300M*50%", "--writes-per-user", "2")
    assert r["daily_writes"]["value"] == 300_000_000


def test_url_shortener_with_record_counts():
    # Alex Xu, System Design Interview vol. 1, ch. 8 "Design a URL shortener": 100M URLs a day,
    # write ~1,160/s, read 10:1 ~11,600/s, 10 years -> 365 billion records of 100 B. The book
    # prints "365 billion * 100 bytes * 10 years = 365 TB", counting the 10 years twice: 365B
    # records of 100 B are 36.5 TB, which is what is checked here.
    r = estimate("--writes", "100M/day", "--reads-per-write", "10:1", "--item-size", "100B", "--years", "10")
    assert near(r["avg_write_qps"]["value"], 1_160)
    assert near(r["avg_read_qps"]["value"], 11_600)
    assert r["total_records"]["value"] == 365e9
    assert near(r["storage_total_bytes"]["value"], 36.5e12)
    assert near(r["total_records"]["value"] * 100, r["storage_total_bytes"]["value"])


def test_pastebin_per_month():
    # donnemartin/system-design-primer, "Design Pastebin.com": 10M paste writes a month, 1.27 KB
    # each -> 12.7 GB a month, ~450 GB of new content and 360M pastes in 3 years, ~4 writes/s
    # and ~40 reads/s at 10:1.
    r = estimate("--writes", "10M/month", "--reads-per-write", "10:1", "--item-size", "1.27KB", "--years", "3")
    assert near(r["avg_write_qps"]["value"], 4)
    assert near(r["avg_read_qps"]["value"], 40)
    assert near(r["storage_per_day_bytes"]["value"] * 30, 12.7e9)
    assert near(r["storage_total_bytes"]["value"], 450e9)
    assert near(r["total_records"]["value"], 360e6)
    assert "10,000,000 writes/month / 30 days" in r["daily_writes"]["formula"]


def test_web_crawler():
    # Alex Xu, System Design Interview vol. 1, ch. 9 "Design a web crawler": 1 billion pages a
    # month -> ~400 pages/s, peak 800; 500 KB a page; 30 PB over 5 years.
    r = estimate("--writes", "1B/month", "--item-size", "500KB", "--years", "5", "--peak-factor", "2")
    assert near(r["avg_write_qps"]["value"], 400)
    assert near(r["peak_write_qps"]["value"], 800)
    assert near(r["storage_total_bytes"]["value"], 30e15)


def test_typeahead_with_a_named_read_stream():
    # Alex Xu, System Design Interview vol. 1, ch. 13 "Design a search autocomplete system":
    # 10M DAU, 10 searches a day, one request per typed character (20 per search) -> ~24,000 QPS,
    # peak ~48,000; 20 B per query, 20% of them new -> ~0.4 GB of new data a day.
    r = estimate("--dau", "10M", "--writes-per-user", "10", "--read-stream", "autocomplete:20x", "--item", "query:20B@20%")
    assert near(r["avg_read_qps.autocomplete"]["value"], 24_000)
    assert near(r["peak_read_qps.autocomplete"]["value"], 48_000)
    assert r["avg_read_qps.autocomplete"]["rounded"] == "about 23K/s"
    assert near(r["storage_per_day_bytes.query"]["value"], 0.4e9)


def test_video_streaming_uploads_and_views():
    # Alex Xu, System Design Interview vol. 1, ch. 14 "Design YouTube": 5M DAU, 10% upload one
    # 300 MB video a day -> 150 TB of new storage a day; each user watches 5 videos a day.
    r = estimate("--dau", "5M", "--writes-per-user", "0.1", "--item-size", "300MB", "--read-stream", "views:5x")
    assert near(r["storage_per_day_bytes"]["value"], 150e12)
    # 5 views per user = 50 per upload at 1 upload per 10 users: 25M views a day.
    r2 = estimate("--dau", "5M", "--writes-per-user", "0.1", "--read-stream", "views:25M/day")
    assert r2["daily_reads.views"]["value"] == 25e6


def test_several_read_streams_each_with_its_own_rate():
    r = estimate("--dau", "200M", "--writes-per-user", "1", "--read-stream", "timeline:100x", "--read-stream", "search:2K/s")
    assert r["daily_reads.timeline"]["value"] == 200e6 * 100
    assert near(r["avg_read_qps.search"]["value"], 2_000)
    assert "search" in r["avg_read_qps.search"]["formula"] or r["daily_reads.search"]["formula"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--item", "media"], "is not NAME:VALUE"),
        (["--item", "media:1MB@150%"], "more than 1"),
        (["--item", "a:1KB", "--item", "a:2KB"], "used twice"),
        (["--writes", "10M/fortnight"], "unknown period"),
        (["--writes", "1M/day", "--dau", "5M", "--writes-per-user", "2"], "not both"),
        (["--item-size", "1KB", "--item", "text:100B", "--dau", "1M", "--writes-per-user", "1"], "not both"),
        (["--read-stream", "feed"], "is not NAME:VALUE"),
        (["--dau", "1e400", "--writes-per-user", "1"], "too large"),
    ],
)
def test_bad_new_flags_get_one_clear_line(flags, message):
    result = CliRunner().invoke(app, ["estimate", *flags])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.output
