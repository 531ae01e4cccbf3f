"""`interview-coach problems`: browse the interview problem cards."""

from __future__ import annotations

import typer

problems_app = typer.Typer(
    help="Browse the interview problems.\n\nExample: interview-coach problems show chat", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(problems_app, name="problems")


@problems_app.command("list")
def list_problems(
    topic: str | None = typer.Option(None, "--topic", help="Only cards that exercise this topic, e.g. caching or fan-out."),
    difficulty: str | None = typer.Option(None, "--difficulty", help="Only cards of this difficulty: easy, medium or hard."),
    as_json: bool = typer.Option(False, "--json", help="Print a list of {id, title, difficulty, topics, ...} objects."),
) -> None:
    """List the problems you can practise, with each one's difficulty and the topics it exercises.

    Example: interview-coach problems list --topic caching
    """
    from interview_coach.cli.pages import content_sources, print_page
    from interview_coach.cli.state import state
    from interview_coach.paths import user_content_dir

    def draw() -> None:
        from interview_coach.content.loader import load_problems
        from interview_coach.content.selection import select_cards

        cards = select_cards(load_problems(state.content_dir), topic=topic, difficulty=difficulty)
        if as_json:
            from interview_coach.cli.output import print_json

            print_json([
                {"id": c.id, "title": c.title, "aliases": c.aliases, "reference": c.reference, "summary": c.summary,
                 "difficulty": c.difficulty, "topics": c.topics, "deep_dives": [d.id for d in c.deep_dives]}
                for c in cards
            ])
            return
        from interview_coach.cli.output import console
        from interview_coach.ui.problem_view import render_problem_list

        render_problem_list(console(), cards)

    # The same cards give the same list: from the page cache unless a card, the code or the
    # terminal changed (see cli/pages.py).
    print_page("problems", (str(user_content_dir(state.content_dir)), topic, difficulty, as_json), draw,
               sources=content_sources(state.content_dir), terminal=not as_json)


@problems_app.command("show")
def show_problem(
    name: str = typer.Argument(..., help="Problem id or alias, e.g. chat, whatsapp, url_shortener."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole card as JSON."),
    no_pager: bool = typer.Option(False, "--no-pager", help="Print the card straight to the terminal, not through $PAGER."),
) -> None:
    """Show a whole problem card: questions, requirements, estimates, APIs, flows, deep dives, trade-offs.

    Example: interview-coach problems show chat
    """
    import sys

    from interview_coach.cli.pages import print_page, shown
    from interview_coach.cli.state import state
    from interview_coach.content.loader import load_problem, problem_path

    path = problem_path(name, state.content_dir)
    if as_json:
        from interview_coach.cli.output import print_json

        print_page("problem-json", (str(path),), lambda: print_json(load_problem(name, state.content_dir)),
                   sources=(path,), libraries=(), terminal=False)
        return

    def lay_out() -> str:
        from interview_coach.cli.output import console
        from interview_coach.ui.problem_view import render_problem

        con = console()
        with con.capture() as captured:
            render_problem(con, load_problem(name, state.content_dir))
        return captured.get()

    # The card as laid out for this terminal the last time, unless the card, the code or the
    # terminal changed (see cli/pages.py): rich is not even imported then.
    text = shown("problem", (str(path),), lay_out, sources=(path,), libraries=("rich",), terminal=True)
    if no_pager or not (sys.stdout.isatty() and sys.stdin.isatty()):
        sys.stdout.write(text)
        return
    # A card runs to hundreds of lines: in a terminal it goes through the pager, as git does.
    from interview_coach.cli.pager import page

    page(text)
