"""The interviewer listening to answers: a one-line reaction, the follow-up it picks, the buy-in.

Everything here reads the grading of what the candidate just said (`grading.grade_field` and
`grade_step`, the same evidence levels the score card shows), so what the interviewer says is
grounded in the answer:

- the *reaction* acknowledges a point the answer explained (quoting it), notes one it only
  named, or pushes back on a red flag with the chapter's reason;
- the *follow-up* in a deep dive is chosen, in this order, from a red flag not yet challenged,
  a point only named (asked to explain it), a point still missing, and only when no gap is left
  from the card's own follow-ups - never about a point already explained;
- the *buy-in* at the end of step 2 plays the proposed design's parts back and asks whether the
  candidate agrees or has concerns.

UI-free and deterministic: the engine records what is said here, and a scripted run says the
same as a live one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from interview_coach.content.models import DeepDive, KeyPoint, ProblemCard
from interview_coach.practice import intent
from interview_coach.practice.grading import FieldGrade, PointGrade, RedFlagHit, StepGrade, card_points, grade_field, grade_step

QUOTE_MAX = 90
# Asked when a dive has no gap left and the card's follow-ups are used up: each once.
CLOSING_QUESTIONS = (
    "What would you watch in production to know this part is healthy?",
    "What changes in this part at ten times the load?",
    "What is the weakest spot in what you described, and how would you shore it up?",
    "If you had to ship this in two weeks, what would you simplify?",
)
# An authored follow-up stands for a rubric point when it shares this much of the point's
# weighted vocabulary (see `_link`).
LINK_MIN = 0.45
# A looser link is enough to hold a card follow-up back: skipping one wrongly costs less than
# asking about something the candidate never said.
SKIP_LINK_MIN = 0.2
# A card follow-up whose concepts one sentence of the candidate's already holds (this share of
# them) is taken as answered.
ANSWERED_SHARE = 0.75

AGREE_WORDS = (
    "yes", "yeah", "yep", "agree", "agreed", "correct", "right", "exactly", "sounds good", "looks good",
    "captures it", "that's it", "that is it", "makes sense", "happy with", "sgtm", "lgtm", "good to go",
)  # fmt: skip
CONCERN_WORDS = (
    "but", "concern", "concerns", "worried", "worry", "risk", "risky", "however", "except", "change",
    "missing", "bottleneck", "although", "one thing", "not sure", "unsure", "trade-off", "tradeoff",
    "would add", "i'd add", "caveat", "weak", "single point of failure", "spof",
)  # fmt: skip


@dataclass(frozen=True)
class FollowUp:
    text: str
    kind: str  # "red_flag", "named", "missing" or "card"
    target: str | None  # the point key, red flag id, or "follow_up:<n>" of the card's list


def quote(sentence: str | None, limit: int = QUOTE_MAX) -> str:
    """A sentence cut to fit one line, on a word boundary."""
    text = " ".join((sentence or "").split()).rstrip(".")
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + " ..."


def _name(g: PointGrade, kp: KeyPoint | None) -> str:
    """A point's concept in the candidate's own words where the sentence has them (an authored
    pattern such as "autoscal*" or "fewest ~ connection*" is read back as the words it matched)."""
    pattern = g.concept or (kp.keywords[0] if kp is not None and kp.keywords else "that")
    return _surface(pattern, g.sentence) or " ".join(pattern.replace("*", "").replace("~", " ").split())


def _surface(pattern: str, sentence: str | None) -> str | None:
    if not sentence:
        return None
    parts = [p.strip() for p in pattern.lower().split("~") if p.strip()]
    if not parts:
        return None

    def words(part: str) -> str:
        return r"\W+".join(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "") for w in part.split())

    regex = r"(?:\W+\w+){0,4}?\W+".join(words(p) for p in parts)
    found = re.search(rf"\b{regex}\b", sentence, re.IGNORECASE)
    return found.group(0) if found else None


def _points(card: ProblemCard, step_id: str, dives: Iterable[str] = ()) -> dict[str, KeyPoint]:
    chosen = list(dives) if step_id == "deep_dive" else None
    return {p.key: p.point for p in card_points(card, step_id, chosen)}


# ---------------------------------------------------------------- reacting to one answer


def react(card: ProblemCard, graded: FieldGrade, text: str) -> str:
    """One line, grounded in what this answer said."""
    if not text.strip():
        return "Okay - let's keep moving."
    if graded.red_flags:
        flag = graded.red_flags[0]
        return f"I'd push back on \u201c{quote(flag.sentence, 60)}\u201d - {_first_sentence(flag.reason)}"
    points = _points(card, graded.step_id, [graded.field_id.split(":")[1]] if graded.field_id.startswith("dive:") else [])
    explained = [g for g in graded.points if g.level == "explained"]
    named = [g for g in graded.points if g.level == "named"]
    contradicted = [g for g in graded.points if g.level == "contradicted"]
    if contradicted:
        g = contradicted[0]
        name = _name(g, points.get(g.point_id))
        return f"Hmm, \u201c{quote(g.sentence, 60)}\u201d - are you sure? That goes against how I'd expect {name} to work."
    if explained:
        g = explained[0]
        more = f" (and {len(explained) - 1} more point{'s' if len(explained) > 2 else ''})" if len(explained) > 1 else ""
        return f"Good - {_name(g, points.get(g.point_id))} with the reason: \u201c{quote(g.sentence, 110)}\u201d{more}."
    if named:
        names = list(dict.fromkeys(_name(g, points.get(g.point_id)) for g in named))
        if graded.step_id == "deep_dive":
            return f"You mention {names[0]} - I'll want to hear why, or how it works."
        # A requirements list names things by nature; the nudge is to give reasons where they matter.
        return f"Noted: {', '.join(names[:3])}. Where the reason isn't obvious, say why."
    return "Okay. I didn't hear the key ideas for this one yet - say what you'd build and why."


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    m = re.match(r"(.+?[.!?])(\s|$)", text)
    return m.group(1) if m else text


# ---------------------------------------------------------------- choosing the follow-up


def _link(card: ProblemCard, dive: DeepDive, threshold: float = LINK_MIN) -> dict[int, str]:
    """Which rubric point each of the dive's authored follow-ups asks about (1-based index ->
    point key), by shared weighted vocabulary; a follow-up about no point is left out."""
    index = intent.IntentIndex([(f"{dive.id}.{kp.id}", [kp.text, *kp.keywords, *kp.phrasings], [], "") for kp in dive.key_points])
    out: dict[int, str] = {}
    for n, question in enumerate(dive.follow_ups, 1):
        found = index.match(question, threshold=threshold)
        if found.fact_id is not None:
            out[n] = found.fact_id
    return out


def already_answered(question: str, answers: Iterable[str]) -> bool:
    """Whether one of the candidate's sentences already answers `question` (the sender learning
    of delivery, right after the candidate described the ack): it holds most of the question's
    concepts, two at least."""
    asked = {c for c in intent.concepts(question) if len(c) > 1}
    if len(asked) < 2:
        return False
    for text in answers:
        for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
            said = set(intent.concepts(sentence))
            shared = asked & said
            if len(shared) >= 2 and len(shared) >= ANSWERED_SHARE * len(asked):
                return True
    return False


def challenge(flag: RedFlagHit) -> str:
    if flag.challenge:
        return flag.challenge
    return f"You said \u201c{quote(flag.sentence, 60)}\u201d. {_first_sentence(flag.reason)} How would you change that?"


def probe(g: PointGrade, kp: KeyPoint) -> str:
    """The question that asks a named point's candidate to explain it (they used the word)."""
    return f"You mentioned {_name(g, kp)}. How exactly does that work here, and why do you need it?"


def open_probe(dive: DeepDive) -> str:
    """For a missing point the card has no probe for: an open question that names nothing the
    candidate did not say."""
    title = dive.title[0].lower() + dive.title[1:]
    return f"Walk me through the rest of {title}: what has to happen that you haven't described yet?"


def choose_follow_up(
    card: ProblemCard,
    dive_id: str,
    dive_answers: Mapping[str, str],
    asked: Iterable[str | None],
) -> FollowUp:
    """The next follow-up in a dive, from what its answers so far left open.

    In order: a red flag not yet challenged; a point contradicted or only named (the candidate
    said the word, so asking about it presupposes nothing - the card's own follow-up about it
    when there is one); a point still missing (the card's probe, an open question that does not
    name it); then the card's follow-ups about nothing missing or explained. Never a point
    already explained, never anything asked before. `dive_answers` maps the dive's field ids to
    the text given; `asked` lists the targets of the follow-ups already asked in the dive."""
    dive = card.deep_dive(dive_id)
    done = {a for a in asked if a}
    grade: StepGrade = grade_step(card, "deep_dive", dict(dive_answers), dives=[dive_id])
    points = {f"{dive.id}.{kp.id}": kp for kp in dive.key_points}
    links = _link(card, dive)
    loose = _link(card, dive, SKIP_LINK_MIN)
    for flag in grade.red_flags:
        if f"flag:{flag.flag_id}" not in done:
            return FollowUp(challenge(flag), "red_flag", f"flag:{flag.flag_id}")
    levels = {g.point_id: g.level for g in grade.points if g.point_id in points}
    for g in grade.points:
        if g.point_id in points and g.level in ("contradicted", "named") and g.point_id not in done:
            authored = next((n for n, key in links.items() if key == g.point_id and f"follow_up:{n}" not in done), None)
            text = dive.follow_ups[authored - 1] if authored is not None else probe(g, points[g.point_id])
            return FollowUp(text, "named", g.point_id)
    # The open question is asked at most once a dive: it is the same words each time.
    generic_used = any(t in points and t not in card.probes for t in done)
    for g in grade.points:
        if g.point_id in points and g.level == "missing" and g.point_id not in done:
            if g.point_id in card.probes:
                return FollowUp(card.probes[g.point_id], "missing", g.point_id)
            if not generic_used:
                return FollowUp(open_probe(dive), "missing", g.point_id)
    for n, question in enumerate(dive.follow_ups, 1):
        linked = loose.get(n)
        # Skip what was asked, and what is about a point explained (nothing left to ask) or
        # missing (the question would take for granted what the candidate never said).
        if f"follow_up:{n}" in done or linked in done or (linked is not None and levels.get(linked) in ("explained", "missing")):
            continue
        if already_answered(question, dive_answers.values()):
            continue
        return FollowUp(question, "card", f"follow_up:{n}")
    for n, question in enumerate(CLOSING_QUESTIONS, 1):
        if f"closing:{n}" not in done:
            return FollowUp(question, "closing", f"closing:{n}")
    return FollowUp(CLOSING_QUESTIONS[-1], "closing", None)


# ---------------------------------------------------------------- buy-in at the end of step 2


def _component_phrases(card: ProblemCard) -> list[tuple[str, list[str]]]:
    """Each distinct part of the card's design, with the words that name it."""
    seen: dict[str, list[str]] = {}
    for c in card.components:
        base = re.sub(r"\s*\(.*?\)", "", c.name)
        base = re.sub(r"\s+[A-Z]$", "", base).strip()
        inner = re.findall(r"\((.*?)\)", c.name)
        words = [base, *(p.strip() for part in inner for p in re.split(r"[+,/]", part) if len(p.strip()) > 2)]
        camel = re.sub(r"([a-z])([A-Z])", r"\1 \2", c.id).rstrip("AB ").strip()
        words.append(camel)
        label = base.lower()
        seen.setdefault(label, [])
        seen[label].extend(w for w in words if w and w not in seen[label])
    generic = [
        ("load balancer", ["load balancer", "lb"]),
        ("API gateway", ["api gateway", "gateway"]),
        ("cache", ["cache", "redis", "memcached"]),
        ("message queue", ["queue", "kafka", "sqs", "rabbitmq"]),
        ("database", ["database", "db", "postgres", "mysql", "cassandra", "dynamodb"]),
        ("CDN", ["cdn"]),
        ("object storage", ["object storage", "s3", "blob store"]),
    ]
    out = [(label, words) for label, words in seen.items()]
    for label, words in generic:
        if not any(set(intent.concepts(w)) & set(intent.concepts(" ".join(ws))) for w in words for _, ws in out):
            out.append((label, words))
    return out


def design_parts(card: ProblemCard, text: str) -> list[str]:
    """The parts of the design the candidate's step-2 answers name, in the order first named."""
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    for label, words in _component_phrases(card):
        hits = intent.has_any(text, words)
        if hits:
            first = min((lowered.find(h.lower()) for h in hits if lowered.find(h.lower()) >= 0), default=len(lowered))
            found.append((first, label))
    return [label for _, label in sorted(found)]


def buy_in_summary(card: ProblemCard, answers: Mapping[str, str]) -> tuple[str, list[str]]:
    """What the interviewer says before the deep dive, and the parts it played back."""
    text = "\n".join(t for t in answers.values() if t.strip())
    parts = design_parts(card, text)
    if not parts:
        return (
            "Before we go deeper: I haven't heard the parts of your design yet. Name them in a line, and tell me "
            "whether you're happy to build on that or have concerns.",
            [],
        )
    listed = ", ".join(parts[:-1]) + f" and {parts[-1]}" if len(parts) > 1 else parts[0]
    apis = sum(1 for ln in answers.get("apis", "").splitlines() if re.search(r"\b(GET|POST|PUT|PATCH|DELETE|WS|RPC)\b", ln))
    api_note = f", behind {apis} API{'s' if apis != 1 else ''}" if apis else ""
    return (
        f"Let me play it back: the design has {listed}{api_note}. Does that capture it - do you agree we build on "
        "this, or do you have concerns before we go deeper?",
        parts,
    )


def buy_in_verdict(reply: str) -> str:
    """ "agreed", "concerns" (agreement with reservations counts as concerns), "unclear" or "none"."""
    if not reply.strip():
        return "none"
    if intent.has_any(reply, CONCERN_WORDS):
        return "concerns"
    if intent.has_any(reply, AGREE_WORDS):
        return "agreed"
    return "unclear"


def buy_in_reaction(verdict: str) -> str:
    return {
        "agreed": "Great - we agree on the shape. Let's go deep on the hardest parts.",
        "concerns": "Good that you raise it now - keep that concern in mind; we'll dig into it in the deep dive.",
        "unclear": "Noted. Let's take this design as the baseline and go deeper.",
        "none": "Let's take this design as the baseline and go deeper.",
    }[verdict]


def grade_answer(card: ProblemCard, step_id: str, field_id: str, text: str) -> FieldGrade:
    return grade_field(card, step_id, field_id, text)
