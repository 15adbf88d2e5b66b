"""Weekly topics per ward: the words and two-word phrases of complaint texts whose share of
complaints rises most in a reporting week against the ward's own baseline (the weeks before).

Texts are segmented into Vietnamese words by pyvi clause by clause, with numbers and names
(capitalised words inside a sentence: streets, wards, people) masked first: clauses then
repeat far more than whole texts, and a distinct clause is segmented once (an LRU cache). A
term is a word or two adjacent words, counted once per complaint under its lower-case
accent-free key ("ngập nước" and "ngap nuoc" together) and shown in its most frequent
accented spelling. Stopwords (stopwords.yaml), numbers, punctuation and names are not terms,
nor is a term in nearly every complaint of the ward's baseline, nor a word that rises only
inside a rising phrase.

A term in k1 of the week's n1 complaints and k0 of the baseline's n0 scores the z of its
log-odds ratio under an informative Beta prior (the document-share form of Monroe, Colaresi
& Quinn 2008, "Fightin' words"): the prior is centred on the term's pooled share in the ward
and worth one average week of the ward's complaints. A term rises when z > 0, k1 ≥
`min_count` and its one-sided p = Φ(−z) passes Benjamini-Hochberg at `alpha` among the terms
of the ward's week."""

from __future__ import annotations

import re
import sys
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
import psycopg
import yaml
from pydantic import Field, field_validator
from scipy import sparse, stats
from unidecode import unidecode

from analytics.hotspots import check_codes
from analytics.names import code_names
from analytics.selection import Codes
from analytics.windows import Window, week_window
from gis_db.sqlfiles import load_sql

BOILERPLATE_SHARE = 0.8  # a term in this share of a ward's baseline complaints is boilerplate,
BOILERPLATE_MIN = 20  # when the baseline has at least this many complaints
COVERED_SHARE = 0.9  # a word is its phrase when the phrase has this share of its rise
SPELLING_SHARE = 0.25  # other accented spellings of a key shown from this share of the first
SEGMENTED_CLAUSES = 1 << 16  # distinct clauses kept segmented (at most some 25 MB)
_BREAK = re.compile(r"(\s-\s|[–—\n.!?…;:,()\[\]{}\"“”‘’/|+*&=<>])")
_SENTENCE = set("–—\n.!?…;:")  # after these a capital letter opens a sentence
_ABBREVIATION = re.compile(r"(?:^|.*\s)(?:P|Q|X|H|F|TP|Tp|TX|TT|ĐK|KP)\s*$")  # "P. Bến Nghé"
_UPPER = re.escape("".join(c for c in map(chr, range(0x41, 0x2000)) if c.isupper()))
_TITLED = rf"[{_UPPER}][^\s{_UPPER}]*(?!\S)"  # a capitalised word: "Lê", "Đường", not "HCM"
_NAME = re.compile(rf"(?<!\S){_TITLED}(?:\s+{_TITLED})*")
_NUMBER = re.compile(r"(?<!\S)\S*\d\S*")
NAME = "Xx"  # stands for a name inside a sentence before segmenting: clauses then repeat
_WORD = re.compile(r"[^\W\d_]+(?:_[^\W\d_]+)*")  # letters only, syllables joined by "_"
_MARKED = re.compile(r"[^\W\d_a-zA-Z]")  # a letter with diacritics (or đ)
_pyvi = threading.Lock()  # pyvi's tagger is not thread-safe


class TopicParams(Codes):
    """The week, the wards and fields it covers, and how a term must rise to be reported."""

    week: str = Field(description="ISO week, e.g. 2025-W23 (Friday 15:00 to Friday 15:00)")
    ward: str | None = Field(None, description="Ward code (today's wards); all when empty")
    baseline_weeks: int = Field(8, ge=1, le=52, description="Weeks before it, the baseline")
    min_count: int = Field(3, ge=1, description="Complaints of the week with the term, at least")
    limit: int = Field(10, ge=1, le=100, description="Terms per ward, at most")
    alpha: float = Field(0.05, gt=0, lt=0.5, description="False discovery rate per ward")

    @field_validator("week")
    @classmethod
    def _week(cls, value: str) -> str:
        return week_window(value).name

    def window(self) -> Window:
        """The reporting week."""
        return week_window(self.week)


@cache
def stopwords() -> tuple[frozenset[str], frozenset[str]]:
    """Stopwords of texts with diacritics, and of texts typed without them."""
    data = yaml.safe_load((files("analytics") / "stopwords.yaml").read_text(encoding="utf-8"))
    marked = frozenset(unicodedata.normalize("NFC", w) for w in data["words"])
    plain = frozenset(data["accent_free"]) | {unidecode(w) for w in marked if " " in w}
    return marked, plain


def segment(clause: str) -> str:
    """The clause as pyvi writes it: words apart, syllables of a word joined by "_"."""
    from pyvi import ViTokenizer  # loads its model (about a second): only when needed

    with _pyvi:
        return ViTokenizer.tokenize(clause)


def _clauses(text: str) -> list[tuple[str, bool]]:
    """Pieces between punctuation, each with whether it opens a sentence; numbers written
    "0", names inside a sentence (capitalised words: streets, wards, people) NAME."""
    parts = _BREAK.split(text)
    clauses, opens = [], True
    for i in range(0, len(parts), 2):
        clause = _NUMBER.sub("0", parts[i]).strip()
        if clause:
            head, _, rest = clause.partition(" ") if opens else ("", "", clause)
            clauses.append((f"{head} {_NAME.sub(NAME, rest)}".strip(), opens))
        if i + 1 < len(parts):
            mark = parts[i + 1].strip() or "-"
            abbreviation = mark == "." and _ABBREVIATION.match(parts[i])
            opens = (mark in _SENTENCE or mark == "-") and not abbreviation
    return clauses


@lru_cache(maxsize=SEGMENTED_CLAUSES)
def clause_terms(clause: str, opens: bool, plain: bool) -> tuple[str, ...]:
    """Words and two-word phrases of a clause, lower case ("_" as spaces), without names and
    stopwords; `opens` when it opens a sentence, `plain` when its text has no diacritics."""
    stop = stopwords()[1 if plain else 0]
    words: list[str | None] = []
    for i, token in enumerate(segment(clause).split()):
        proper = token[0].isupper() and not token.isupper() and (i > 0 or not opens)
        proper = proper or NAME in token.split("_")
        term = not proper and _WORD.fullmatch(token)
        words.append(token.lower().replace("_", " ") if term else None)
    drop = [w is None for w in words]
    for i in range(len(words)):  # stop phrases of up to three words
        for j in range(i + 1, min(i + 3, len(words)) + 1):
            if words[j - 1] is None:
                break
            if " ".join(words[i:j]) in stop:  # type: ignore[arg-type]
                drop[i:j] = [True] * (j - i)
    kept = [None if d else w for w, d in zip(words, drop, strict=True)]
    terms = [w for w in kept if w]
    terms += [f"{a} {b}" for a, b in zip(kept, kept[1:], strict=False) if a and b]
    return tuple(sys.intern(t) for t in terms)


@lru_cache(maxsize=1 << 18)
def term_key(term: str) -> str:
    """The accent-free key of a lower-case term."""
    return unidecode(term)


def text_terms(text: str) -> dict[str, str]:
    """Terms of one complaint: {accent-free key: spelling}, accented spellings preferred."""
    text = unicodedata.normalize("NFC", text)
    plain = not _MARKED.search(text)
    terms: dict[str, str] = {}
    for clause, opens in _clauses(text):
        for form in clause_terms(clause, opens, plain):
            key = term_key(form)
            if terms.get(key, key) == key:
                terms[key] = form
    return terms


def log_odds_z(k1: np.ndarray, n1: np.ndarray, k0: np.ndarray, n0: np.ndarray,
               prior: np.ndarray) -> np.ndarray:  # fmt: skip
    """z of the log-odds ratio of the share k1/n1 against k0/n0 under a Beta prior of `prior`
    complaints centred on the pooled share (0 for a term in every complaint)."""
    k1, n1, k0, n0 = (np.asarray(x, dtype=float) for x in (k1, n1, k0, n0))
    pooled = (k1 + k0) / (n1 + n0)
    a, b = prior * pooled, prior * (1 - pooled)
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.log((k1 + a) / (n1 - k1 + b)) - np.log((k0 + a) / (n0 - k0 + b))
        var = 1 / (k1 + a) + 1 / (n1 - k1 + b) + 1 / (k0 + a) + 1 / (n0 - k0 + b)
        z = delta / np.sqrt(var)
    return np.where(pooled < 1, z, 0.0)


@dataclass(frozen=True)
class Spellings:
    """Complaints with each spelling of each key (keys × spellings)."""

    keys: pd.Index
    forms: np.ndarray
    counts: sparse.csr_matrix

    def show(self, key: str) -> str:
        """The most frequent accented spelling of a key, with the others at least
        SPELLING_SHARE as frequent ("chảy / cháy": one key, two words); else as typed."""
        row = self.counts.getrow(self.keys.get_loc(key))
        seen = sorted(zip(row.data, self.forms[row.indices], strict=True), reverse=True)
        seen = [(n, form) for n, form in seen if form != key]
        return " / ".join(form for n, form in seen if n >= SPELLING_SHARE * seen[0][0]) or key


def _counts(rows: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame, Spellings]:
    """Complaints per ward and period, complaints with each term per ward, period and key, and
    with each spelling of a key; identical texts are segmented once. Ward "": none."""
    docs = pd.DataFrame(rows, columns=["ward", "in_week", "text", "n"]).fillna({"ward": ""})
    grouped = docs.groupby(["ward", "in_week"])
    totals = grouped["n"].sum()
    text, texts = pd.factorize(docs["text"])
    sizes, keys, spellings = [], [], []
    for found in map(text_terms, texts):
        sizes.append(len(found))
        keys.extend(found)
        spellings.extend(found.values())
    key, key_names = pd.factorize(pd.Series(keys, dtype=object))
    form, form_names = pd.factorize(pd.Series(spellings, dtype=object))
    term_text = np.repeat(np.arange(len(texts)), sizes)
    docs_texts = sparse.csr_matrix(
        (docs["n"].to_numpy(), (grouped.ngroup().to_numpy(), text)),
        shape=(len(totals), len(texts)),
    )  # complaints of each (ward, period) with each text
    text_keys = sparse.csr_matrix(
        (np.ones(len(key), dtype=np.int64), (term_text, key)),
        shape=(len(texts), len(key_names)),
    )
    hits = (docs_texts @ text_keys).tocoo()
    counts = pd.DataFrame(
        {
            "ward": totals.index.get_level_values("ward")[hits.row],
            "in_week": totals.index.get_level_values("in_week")[hits.row],
            "key": key_names[hits.col],
            "n": hits.data,
        }
    )
    weight = np.asarray(docs_texts.sum(axis=0)).ravel()
    forms = sparse.csr_matrix(
        (weight[term_text], (key, form)), shape=(len(key_names), len(form_names))
    )
    return totals.reset_index(), counts, Spellings(pd.Index(key_names), form_names, forms)


def _sizes(totals: pd.DataFrame) -> pd.DataFrame:
    """Complaints of the week (n1) and of the baseline (n0) per group."""
    sizes = totals.pivot_table(index="group", columns="in_week", values="n", aggfunc="sum")
    sizes = sizes.reindex(columns=[True, False]).fillna(0).astype(int)
    sizes.columns = ["n1", "n0"]
    return sizes


def _rising(counts: pd.DataFrame, totals: pd.DataFrame, params: TopicParams) -> pd.DataFrame:
    """The rising terms of each group (ward, or the city), best first, `limit` per group."""
    table = counts.pivot_table(
        index=["group", "key"], columns="in_week", values="n", fill_value=0, aggfunc="sum"
    ).reindex(columns=[True, False], fill_value=0)
    table.columns = ["k1", "k0"]
    table = table.reset_index().merge(_sizes(totals).reset_index(), on="group")
    boilerplate = (table["n0"] >= BOILERPLATE_MIN) & (
        table["k0"] >= BOILERPLATE_SHARE * table["n0"]
    )
    table = table[(table["k1"] > 0) & ~boilerplate].copy()
    prior = (table["n1"] + table["n0"]) / (params.baseline_weeks + 1)
    table["score"] = log_odds_z(table["k1"], table["n1"], table["k0"], table["n0"], prior)
    table["p"] = stats.norm.sf(table["score"])
    table["q"] = table.groupby("group")["p"].transform(stats.false_discovery_control)
    table = table[
        (table["score"] > 0) & (table["k1"] >= params.min_count) & (table["q"] <= params.alpha)
    ]
    table = table.sort_values(["group", "score", "key"], ascending=[True, False, True])
    table = table[~_covered(table)]
    return table.groupby("group").head(params.limit)


def _covered(table: pd.DataFrame) -> np.ndarray:
    """Whether a term rises only inside a longer rising term of its group: one whose excess
    over the baseline share is at least COVERED_SHARE of its own ("cháy" when "cháy nổ")."""
    excess = table["k1"] - table["n1"] * table["k0"] / table["n0"].where(table["n0"] > 0)
    table = table.assign(excess=excess.fillna(table["k1"]))
    covered = pd.Series(False, index=table.index)
    for _, rows in table.groupby("group"):
        longer = [
            (f" {k} ", e) for k, e in zip(rows["key"], rows["excess"], strict=True) if " " in k
        ]
        for index, key, own in zip(rows.index, rows["key"], rows["excess"], strict=True):
            covered[index] = any(
                f" {key} " in phrase and phrase != f" {key} " and e >= COVERED_SHARE * own
                for phrase, e in longer
            )
    return covered.to_numpy()


def _terms(table: pd.DataFrame, spellings: Spellings) -> list[dict]:
    return [
        {
            "term": spellings.show(r.key),
            "key": r.key,
            "week": int(r.k1),
            "baseline": int(r.k0),
            "week_share": round(r.k1 / r.n1, 4),
            "baseline_share": round(r.k0 / r.n0, 4) if r.n0 else None,
            "score": round(float(r.score), 2),
        }
        for r in table.itertuples()
    ]


def weekly_topics(conn: psycopg.Connection, params: TopicParams) -> dict:
    """The rising terms of the week per ward (and in the whole city when no ward is asked)."""
    check_codes(conn, params.field, params.category)
    names = code_names(conn, "ward")
    if params.ward is not None and params.ward not in names:
        raise ValueError(f"unknown ward code: {params.ward}")
    week = params.window()
    first = week
    for _ in range(params.baseline_weeks):
        first = first.previous()
    rows = conn.execute(
        load_sql("analytics", "topic_texts.sql"),
        {"start": first.start, "week_start": week.start, "end": week.end,
         "ward": params.ward, "fields": list(params.field) or None,
         "categories": list(params.category) or None},
    ).fetchall()  # fmt: skip
    result = {
        "week": week.name,
        "label": week.label(),
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "baseline_start": first.start.isoformat(),
        **params.model_dump(include={"baseline_weeks", "min_count", "alpha", "field", "category"}),
        "city": None,
        "wards": [],
    }
    if not rows:
        return result
    totals, counts, spellings = _counts(rows)
    wards = counts[counts["ward"] != ""].rename(columns={"ward": "group"})
    ward_totals = totals[totals["ward"] != ""].rename(columns={"ward": "group"})
    rising = _rising(wards, ward_totals, params)
    for code, n1, n0 in _sizes(ward_totals).query("n1 > 0").itertuples():
        terms = _terms(rising[rising["group"] == code], spellings)
        result["wards"].append({"code": code, "name": names.get(code), "week_complaints": int(n1),
                                "baseline_complaints": int(n0), "terms": terms})  # fmt: skip
    if params.ward is None:
        city = counts.groupby(["in_week", "key"])["n"].sum().reset_index().assign(group="")
        city_totals = totals.groupby("in_week")["n"].sum().reset_index().assign(group="")
        n1, n0 = _sizes(city_totals).iloc[0]
        terms = _terms(_rising(city, city_totals, params), spellings)
        result["city"] = {"week_complaints": int(n1), "baseline_complaints": int(n0),
                          "terms": terms}  # fmt: skip
    return result
