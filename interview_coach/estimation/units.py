"""Numbers with units, read and written the way people say them in an interview.

Counts take K/M/B/T (50M, 1.2B); sizes are bytes with decimal prefixes by default (1KB is
1,000 bytes) and binary ones with an `i` (1KiB is 1,024 bytes); fractions are `10%` or `0.1`;
ratios are `100` or `100:1`. Parsing goes through `Decimal` so that formatting a value exactly
and parsing it back gives the same float (the property tests rely on it).

Every parser takes the flag it reads for, so a bad value is reported as
"--dau: '50X' is not a count; try 50M or 50000000".
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation, localcontext

from interview_coach.errors import UsageError

SECONDS_PER_DAY = 86_400
DAYS_PER_YEAR = 365

# What a valid value looks like, per input; shown in every error about that input.
EXAMPLES: dict[str, str] = {
    "dau": "50M or 50000000",
    "writes_per_user": "100 or 0.5",
    "reads_per_write": "100 or 100:1",
    "item_size": "100B, 1KB or 1KiB",
    "peak_factor": "2 or 2x",
    "years": "5",
    "replication": "3",
    "online_fraction": "10% or 0.1",
    "per_server_qps": "10K or 10000",
    "per_server_connections": "50K or 50000",
    "cache_hot_fraction": "20% or 0.2",
}

COUNT_SCALES: dict[str, int] = {
    "": 0,
    "k": 3, "thousand": 3,
    "m": 6, "mn": 6, "million": 6,
    "b": 9, "bn": 9, "billion": 9,
    "t": 12, "trillion": 12,
}
# Suffixes written in formatted counts, largest first.
_COUNT_WRITE = [(12, "T"), (9, "B"), (6, "M"), (3, "K")]

_DECIMAL_PREFIXES = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6}
_SIZE_WRITE_DECIMAL = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
_SIZE_WRITE_BINARY = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
_BITS_WRITE = ["bps", "Kbps", "Mbps", "Gbps", "Tbps", "Pbps"]

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+(?:_\d+)*)?(?:\.\d+)?(?:[eE][+-]?\d+)?"
_VALUE_RE = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>[A-Za-z%]*)\s*$")
_SIZE_UNIT_RE = re.compile(r"^(?P<prefix>[kKmMgGtTpPeE]?)(?P<i>i?)(?P<b>[Bb])(?:ytes?)?$")


def _label(flag: str, source: str = "") -> str:
    """How an input is named in messages: the CLI flag, or the key inside a content file."""
    if source:
        return f"{source}: {flag}"
    return "--" + flag.replace("_", "-")


def _bad(flag: str, source: str, what: str) -> UsageError:
    example = EXAMPLES.get(flag)
    return UsageError(f"{_label(flag, source)}: {what}", f"try {example}" if example else None)


def _split(text: str, flag: str, source: str, kind: str) -> tuple[Decimal, str]:
    """A number and the unit written after it; the number as an exact Decimal."""
    match = _VALUE_RE.match(text)
    num = match.group("num") if match else ""
    if not match or not re.search(r"\d", num):
        raise _bad(flag, source, f"{text!r} is not {kind}")
    try:
        value = Decimal(num.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise _bad(flag, source, f"{text!r} is not {kind}") from None
    if not value.is_finite():
        raise _bad(flag, source, f"{text!r} is not {kind}")
    return value, match.group("unit")


def _from_python(value: object, flag: str, source: str, kind: str) -> Decimal | None:
    """Numbers that arrive already typed (from YAML or JSON): exact Decimal, or None for text."""
    if isinstance(value, bool):
        raise _bad(flag, source, f"{value!r} is not {kind}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _bad(flag, source, f"{value!r} is not {kind}")
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise _bad(flag, source, f"{value!r} is not {kind}")
    return None


def _check_sign(value: Decimal, text: object, flag: str, source: str, kind: str, allow_zero: bool) -> None:
    if value < 0:
        raise _bad(flag, source, f"{text!r} is negative; {kind} can't be")
    if value == 0 and not allow_zero:
        raise _bad(flag, source, f"{text!r} must be more than 0")


def _float(value: Decimal, text: object = None, flag: str = "value", source: str = "") -> float:
    # float(Decimal) is correctly rounded, which is what makes format-then-parse exact.
    result = float(value)
    if not math.isfinite(result) or abs(result) > MAX_MAGNITUDE:
        raise _bad(flag, source, f"{_short(text if text is not None else value)} is too large to estimate with (at most 1e30)")
    return result


# Anything beyond this is a typo, not an estimate (the observable universe has ~1e80 atoms;
# no system design figure needs more than 30 digits), and it keeps every product finite.
MAX_MAGNITUDE = 1e30


def _short(text: object, limit: int = 40) -> str:
    shown = repr(text) if isinstance(text, str) else str(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


# ---------------------------------------------------------------- parsing


def parse_count(value: object, flag: str = "count", source: str = "", *, allow_zero: bool = False) -> float:
    """A count such as 50M, 1.2B, 500K, 5 million or 50000000 (a plain number)."""
    number = _from_python(value, flag, source, "a count")
    if number is None and "*" in str(value):
        # "300M*50%": monthly actives times the share active on a day, as people write it.
        total = 1.0
        for part in str(value).split("*"):
            if part.strip().endswith("%"):
                total *= parse_fraction(part, flag, source)
            else:
                total *= parse_count(part, flag, source, allow_zero=allow_zero)
        return _float(Decimal(repr(total)), value, flag, source)
    if number is None:
        text = str(value)
        number, unit = _split(text, flag, source, "a count")
        key = unit.lower()
        if key not in COUNT_SCALES:
            if _SIZE_UNIT_RE.match(unit) or key in ("byte", "bytes"):
                raise _bad(flag, source, f"{text!r} is a size, not a count")
            raise _bad(flag, source, f"{text!r} is not a count")
        number = number.scaleb(COUNT_SCALES[key])
    _check_sign(number, value, flag, source, "a count", allow_zero)
    return _float(number, value, flag, source)


# Days in each period a rate may be given per. A month is 30 days, the usual round figure
# ("1B pages a month is about 400 a second"); a year is 365 days, as elsewhere here.
DAYS_PER: dict[str, float] = {"s": 1 / SECONDS_PER_DAY, "day": 1.0, "week": 7.0, "month": 30.0, "year": float(DAYS_PER_YEAR)}
_PERIOD_WORDS: dict[str, str] = {
    "s": "s", "sec": "s", "second": "s", "day": "day", "d": "day", "week": "week", "wk": "week",
    "month": "month", "mo": "month", "year": "year", "yr": "year", "y": "year",
}
_PERIOD_RE = re.compile(r"^(?P<count>.*?)\s*(?:/\s*|\s+(?:a|per)\s+)(?P<period>[A-Za-z]+)\s*$")


def split_period(value: object, flag: str = "rate", source: str = "") -> tuple[object, str]:
    """`"10M/month"` -> ("10M", "month"); a value without a period is per day."""
    if not isinstance(value, str):
        return value, "day"
    match = _PERIOD_RE.match(value.strip())
    if not match:
        return value, "day"
    word = match.group("period").lower().rstrip("s") if match.group("period").lower() not in ("s",) else "s"
    period = _PERIOD_WORDS.get(word)
    if period is None:
        raise _bad(flag, source, f"{value!r} has an unknown period {match.group('period')!r}; use /s, /day, /week, /month or /year")
    return match.group("count"), period


def parse_rate(value: object, flag: str = "rate", source: str = "", *, allow_zero: bool = False) -> tuple[float, float, str]:
    """A count per period -> (per day, the count as given, the period): "10M/month" -> (333,333.3, 10M, month)."""
    count_text, period = split_period(value, flag, source)
    count = parse_count(count_text, flag, source, allow_zero=allow_zero)
    per_day = count / DAYS_PER[period]
    return _float(Decimal(repr(per_day)), value, flag, source), count, period


def parse_size(value: object, flag: str = "size", source: str = "") -> float:
    """A size in bytes: 100B, 1KB (1,000 B), 2.5MB, 1KiB (1,024 B); a plain number is bytes.

    A lower-case `b` is bits by convention (Mb is megabits), which is a different quantity;
    such input is refused rather than guessed, because mixing bits and bytes is the classic
    estimation slip.
    """
    number = _from_python(value, flag, source, "a size")
    if number is None:
        text = str(value)
        number, unit = _split(text, flag, source, "a size")
        if unit.lower() in ("byte", "bytes"):
            unit = "B"
        if unit:
            match = _SIZE_UNIT_RE.match(unit)
            if not match:
                if unit.lower() in COUNT_SCALES:
                    raise _bad(flag, source, f"{text!r} has no byte unit (B); a size is in bytes")
                raise _bad(flag, source, f"{text!r} is not a size")
            if match.group("b") == "b":
                raise _bad(flag, source, f"{text!r} is in bits (lower-case b); a size is in bytes (B)")
            power = _DECIMAL_PREFIXES[match.group("prefix").lower()]
            if match.group("i"):
                if power == 0:
                    raise _bad(flag, source, f"{text!r} is not a size")
                number = number * (Decimal(1024) ** power)
            else:
                number = number.scaleb(3 * power)
    _check_sign(number, value, flag, source, "a size", allow_zero=False)
    return _float(number, value, flag, source)


def parse_fraction(value: object, flag: str = "fraction", source: str = "") -> float:
    """A fraction of a whole: 10% or 0.1, more than 0 and at most 100%."""
    number = _from_python(value, flag, source, "a fraction")
    if number is None:
        text = str(value)
        number, unit = _split(text, flag, source, "a fraction")
        if unit == "%":
            number = number.scaleb(-2)
        elif unit:
            raise _bad(flag, source, f"{text!r} is not a fraction")
    _check_sign(number, value, flag, source, "a fraction", allow_zero=False)
    if number > 1:
        raise _bad(flag, source, f"{value!r} is more than 1 (100%)")
    return _float(number)


def parse_ratio(value: object, flag: str = "ratio", source: str = "") -> float:
    """How many of one thing per another: 100 or 100:1 (reads per write); 0 is allowed."""
    number = _from_python(value, flag, source, "a ratio")
    if number is None:
        text = str(value)
        if ":" in text:
            left, _, right = text.partition(":")
            top = parse_count(left, flag, source, allow_zero=True)
            bottom = parse_count(right, flag, source)
            return top / bottom
        return parse_count(text.strip().rstrip("xX"), flag, source, allow_zero=True)
    _check_sign(number, value, flag, source, "a ratio", allow_zero=True)
    return _float(number, value, flag, source)


def parse_factor(value: object, flag: str = "factor", source: str = "", *, minimum: float = 0.0) -> float:
    """A plain multiplier such as a peak factor (2 or 2x) or years (5); at least `minimum`."""
    number = _from_python(value, flag, source, "a number")
    if number is None:
        text = str(value)
        number, unit = _split(text, flag, source, "a number")
        if unit.lower() not in ("", "x"):
            raise _bad(flag, source, f"{text!r} is not a number")
    _check_sign(number, value, flag, source, "it", allow_zero=False)
    if number < Decimal(repr(minimum)):
        raise _bad(flag, source, f"{value!r} is less than {minimum:g}")
    return _float(number, value, flag, source)


# ---------------------------------------------------------------- rounding


def interview_round(value: float) -> float:
    """The figure you say aloud: one significant figure when that is within 5%, else two.

    People say "about 60K" for 57,870 (4% off) and "about 900 TB" for 912.5 TB, but "about
    3.5K" for 3,472 and "about 55 PB" for 54.75 PB, where one figure (3K, 50 PB) would be
    9-14% off and change the story. Two figures are always within 5%. This reproduces the
    chapter (57,870 -> 60K, 115,741 -> 120K, 912.5 TB -> 900 TB) and the published worked
    examples (3,472/s -> 3.5K/s, 23,148/s -> 23K/s).
    """
    if value == 0 or not math.isfinite(value):
        return value
    sign = -1.0 if value < 0 else 1.0
    magnitude = abs(value)
    for figures in (1, 2):
        rounded = _round_to_figures(magnitude, figures)
        if abs(rounded - magnitude) <= ROUGH_TOLERANCE * magnitude:
            break
    return sign * rounded


# How far the one-figure rounding may be from the exact value before a second figure is said.
ROUGH_TOLERANCE = 0.05


def _round_to_figures(magnitude: float, figures: int) -> float:
    # Decimal throughout: exact at powers of ten and safe for subnormal floats (5e-324).
    exact = Decimal(repr(magnitude))
    step = Decimal(1).scaleb(exact.adjusted() - figures + 1)
    return float((exact / step).to_integral_value(rounding="ROUND_HALF_UP") * step)


def is_about(value: float, rounded: float) -> bool:
    """True when `rounded` is not the exact value (so it should be said with 'about')."""
    return not math.isclose(value, rounded, rel_tol=1e-9, abs_tol=0.0)


# ---------------------------------------------------------------- formatting


def _plain(value: Decimal) -> str:
    """A Decimal written without exponent and without trailing zeros."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _significant(value: float, sig: int | None) -> Decimal:
    """`value` as an exact Decimal (sig None) or rounded to `sig` significant figures."""
    exact = Decimal(repr(float(value)))
    if sig is None or exact == 0:
        return exact
    exponent = exact.adjusted() - sig + 1
    return exact.quantize(Decimal(1).scaleb(exponent), rounding="ROUND_HALF_UP")


def format_count(value: float, sig: int | None = None) -> str:
    """A count with a K/M/B/T suffix: 5B, 57.87K (sig=4), 120K. Exact when `sig` is None."""
    with localcontext() as ctx:
        ctx.prec = 100
        number = _significant(value, sig)
        for power, suffix in _COUNT_WRITE:
            if abs(number) >= Decimal(10) ** power:
                scaled = number.scaleb(-power)
                if sig is not None:
                    scaled = _significant(float(scaled), sig)
                return _plain(scaled) + suffix
        return _plain(number)


def format_size(value: float, sig: int | None = None, *, binary: bool = False) -> str:
    """Bytes in the largest fitting unit: 500 GB, 912.5 TB, 1 KiB. Exact when `sig` is None."""
    units = _SIZE_WRITE_BINARY if binary else _SIZE_WRITE_DECIMAL
    return _join(_scale(value, sig, 1024 if binary else 1000, units))


def format_bits(bytes_per_second: float, sig: int | None = 3) -> str:
    """A byte rate as bits per second: 6,000,000 B/s -> 48 Mbps."""
    return _join(_scale(bytes_per_second * 8, sig, 1000, _BITS_WRITE))


def _scale(value: float, sig: int | None, base: int, units: list[str]) -> tuple[str, str]:
    with localcontext() as ctx:
        ctx.prec = 100  # dividing by powers of 1024 adds digits; keep the result exact
        number = _significant(value, sig)
        index = 0
        while index + 1 < len(units) and abs(number) >= Decimal(base) ** (index + 1):
            index += 1
        scaled = number / Decimal(base) ** index
        if sig is not None:
            scaled = _significant(float(scaled), sig)
            if abs(scaled) >= base and index + 1 < len(units):  # 999.96 KB -> 1 MB, not 1000 KB
                index += 1
                scaled = _significant(float(scaled / base), sig)
        return _plain(scaled), units[index]


def _join(parts: tuple[str, str]) -> str:
    return f"{parts[0]} {parts[1]}"


def format_fraction(value: float) -> str:
    """A fraction as a percentage, exactly: 0.1 -> 10%."""
    return _plain(Decimal(repr(float(value))).scaleb(2)) + "%"


def format_number(value: float, decimals: int = 2) -> str:
    """Digits grouped by thousands, at most `decimals` decimals: 57,870.37; 5,000,000,000."""
    if math.isclose(value, round(value), rel_tol=0, abs_tol=10 ** -(decimals + 3)) and abs(value) >= 1:
        return f"{round(value):,}"
    if abs(value) < 1 and value != 0:
        return f"{value:.4g}"
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
