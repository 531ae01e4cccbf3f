"""The command table and the global options' help: plain data, so the top-level help can be
printed without importing typer (launch.py) and typer's group (main.py) says the same."""

from __future__ import annotations

# The commands, the main job first: name -> (module under interview_coach.cli, one-line summary).
# A module is imported only when its command runs (or its own --help is asked for), so
# `interview-coach --help` and every command pay only for what they use. The summaries are the
# commands' own first docstring lines; tests/cli/test_help.py keeps the two equal.
COMMANDS: dict[str, tuple[str, str]] = {
    "practice": ("practice", "Run a timed mock system design interview, with an interviewer, hints and a score card."),
    "estimate": ("estimate", "Back-of-the-envelope estimates that show their work: QPS, storage, bandwidth, connections, "
                             "servers and cache, from a problem card's preset or your own numbers."),
    "quiz": ("quiz", "Take the chapter quiz, with an explanation after every answer and a score by section."),
    "summary": ("summary", "Write up a mock interview as a design document, or a problem's reference design."),
    "history": ("history", "List what you have done: mock interviews with their scores, estimation drills and quiz runs."),
    "framework": ("framework", "Show the four-step framework: timeline, trade-offs, pitfalls, checklist and rubric."),
    "problems": ("problems", "Browse the interview problems."),
    "demo": ("demo", "Watch the reference chat design run: real servers, ids, store, fan-out, typing, media, sync."),
    "serve": ("serve", "Run the reference chat as a service: the chapter's HTTP API and a WebSocket, until Ctrl-C or SIGTERM."),
    "content": ("content", "Check problem cards, frameworks and quiz banks."),
    "data": ("data", "Check, back up and restore your saved sessions (the database in the data folder)."),
}
APP_HELP = "A terminal coach for system design interviews.\n\nExample: interview-coach practice"

# The global options' help, one place for typer's declarations and the launcher's help.
OPTION_HELP = {
    "version": "Print the version and exit.",
    "debug": "Show tracebacks instead of one-line errors.",
    "content_dir": "Extra content folder (problem cards, quiz banks, templates); it must exist.",
    "help": "Show this message and exit.",
}
CONTENT_ENV = "INTERVIEW_COACH_CONTENT"
# As click lists them: the flags (with the value's placeholder) and the help with its extras.
GLOBAL_OPTIONS = [
    ("--version", OPTION_HELP["version"]),
    ("--debug", OPTION_HELP["debug"]),
    ("--content-dir <str>", f"{OPTION_HELP['content_dir']}  [env var: {CONTENT_ENV}]"),
    ("-h, --help", OPTION_HELP["help"]),
]
