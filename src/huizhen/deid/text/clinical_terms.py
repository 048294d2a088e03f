"""Clinical terms that a PHI detector must leave alone (issue 6, item 2: no over-redaction).

Eponyms (霍奇金淋巴瘤, Burkitt, Reed-Sternberg, Waldenström …), place-like names (费城染色体
/ Philadelphia chromosome, Ann Arbor, Lugano), regimens (R-CHOP, DA-EPOCH-R, VRd …), drugs,
genes and markers, and Chinese words that begin with a surname character (高血压, 白细胞 …)
are read from ``data/clinical_terms.txt``. :func:`protected_spans` gives where they stand in a
text; the scrubber drops any name, address or organisation candidate that overlaps one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from huizhen.deid.text.language import HAN
from huizhen.deid.text.lexicon import trie_pattern


@cache
def clinical_terms() -> tuple[str, ...]:
    """Every protected term, as listed."""
    text = resources.files("huizhen.deid.text").joinpath("data", "clinical_terms.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def _pattern() -> re.Pattern[str]:
    terms = set(clinical_terms())
    han = [t for t in terms if re.search(f"[{HAN}]", t)]
    latin = [t for t in terms if not re.search(f"[{HAN}]", t)]
    # Case variants are spelled out rather than matched with IGNORECASE, which would disable
    # re's fast scan. Short acronyms (DA, MA, Rd) keep their own case: "Ma" and "Da" are names.
    variants = {v for t in latin for v in ((t, t.lower(), t.upper(), t.capitalize()) if len(t) > 4 else (t,))}
    return re.compile(trie_pattern([*han, *variants]))


def protected_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every protected clinical term in ``text``.

    Latin terms count on word boundaries only: "Down syndrome" is protected, "Downing" is not.
    """
    for match in _pattern().finditer(text):
        start, end = match.span()
        term = match.group()
        if term[0].isascii() and term[0].isalnum() and start and _is_word_char(text[start - 1]):
            continue
        if term[-1].isascii() and term[-1].isalnum() and end < len(text) and _is_word_char(text[end]):
            continue
        yield start, end


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()
