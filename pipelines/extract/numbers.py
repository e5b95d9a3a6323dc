"""Numbers, amounts and rates as printed in reports. Pure; never raises on any input.

Works on normalized text (see `pipelines.text`): digits are ASCII, thousands separators
are "," (the Chinese "，" is a clause separator and never part of a number).
"""

import re
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Decimal, InvalidOperation, localcontext

# Amount units -> factor to 万元 (the warehouse unit). Longest first (regex alternation order).
UNIT_TO_WAN: dict[str, Decimal] = {
    "亿元": Decimal("10000"),
    "万元": Decimal("1"),
    "千元": Decimal("0.1"),
    "元": Decimal("0.0001"),
}

# A number: with "," thousands separators, with space-grouped thousands (only when a unit
# follows, decided by the callers' patterns), or plain. Optional decimal part.
NUM = r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+(?=\s*(?:\.\d|亿|万|千|元))|\d+)(?:\.\d+)?"
UNIT = r"(?:亿元|万元|千元|元)"
AMOUNT_RE = re.compile(rf"(?P<num>{NUM})\s*(?P<unit>{UNIT})")
PCT_RE = re.compile(rf"(?P<num>{NUM})\s*%")


@dataclass(frozen=True)
class Amount:
    value_wan: Decimal
    raw: str
    unit: str
    start: int  # offset of the number in the searched text
    end: int  # offset just past the unit


_DECIMAL_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")  # compiled once: to_decimal runs for every number read


def to_decimal(s: str | None) -> Decimal | None:
    """'1,234.56' / '1 234.5' / ' 77.25 ' -> Decimal; anything else -> None."""
    if s is None:
        return None
    t = str(s).strip().replace(",", "").replace(" ", "")
    if not t or not _DECIMAL_RE.fullmatch(t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - fullmatch guards this
        return None


def quantize(d: Decimal | None, places: int = 4) -> Decimal | None:
    """`d` rounded to `places` decimals (as `Decimal.quantize` does), however many digits it has;
    None when it is not a finite number. Never raises: a number printed with thirty digits is
    still its value (the warehouse's columns say whether it fits, `process.fit_columns`)."""
    if d is None:
        return None
    try:
        if not d.is_finite():
            return None
        with localcontext() as ctx:
            ctx.prec = max(ctx.prec, d.adjusted() + places + 3)
            ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
            return d.quantize(Decimal(1).scaleb(-places))
    except (ArithmeticError, ValueError, MemoryError):
        return None


def to_wan(number: str, unit: str) -> Decimal | None:
    """A number with its unit, in 万元 to four decimals; None when it is no number or no unit."""
    d = to_decimal(number)
    factor = UNIT_TO_WAN.get(unit)
    if d is None or factor is None:
        return None
    try:
        with localcontext() as ctx:  # exact, however many digits are printed
            ctx.prec = max(ctx.prec, len(str(number)) + 8)  # (more than its digits)
            ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
            return quantize(d * factor, 4)
    except (ArithmeticError, ValueError, MemoryError):
        return None


def parse_amount(text: str) -> Decimal | None:
    """The first amount in `text`, in 万元 (e.g. '7 亿元' -> 70000 万元)."""
    a = first_amount(text)
    return a.value_wan if a else None


def first_amount(text: str, pos: int = 0) -> Amount | None:
    if not isinstance(text, str):
        return None
    m = AMOUNT_RE.search(text, pos)
    if not m:
        return None
    v = to_wan(m.group("num"), m.group("unit"))
    if v is None:
        return None
    return Amount(v, m.group("num"), m.group("unit"), m.start("num"), m.end())


def parse_rate(text: str) -> Decimal | None:
    """A rate as a percentage 0-100: '97.35%' -> 97.35; a bare decimal '0.958' -> 95.8.

    A bare number > 1 without '%' is ambiguous and gives None.
    """
    if not isinstance(text, str):
        return None
    m = PCT_RE.search(text)
    if m:
        return to_decimal(m.group("num"))
    m = re.search(r"(?<![\d.])(0\.\d+|1\.0+|1)(?![\d.%])", text)
    if m:
        d = to_decimal(m.group(1))
        return None if d is None else (d * 100).normalize()
    return None


def parse_score(text: str) -> Decimal | None:
    """A score as printed: '77.25', '77.25分' -> Decimal; outside 0..1000 -> None."""
    if not isinstance(text, str):
        return None
    m = re.search(r"\d+(?:\.\d+)?", text)
    if not m:
        return None
    d = to_decimal(m.group(0))
    if d is None or d > 1000:
        return None
    return d
