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
    terms = sorted(set(clinical_terms()), key=len, reverse=True)
    han = trie_pattern(t for t in terms if re.search(f"[{HAN}]", t))
    latin = [t for t in terms if not re.search(f"[{HAN}]", t)]
    # Short acronyms (DA, MA, Rd) match in their own case only: "Ma" and "Da" are pinyin names.
    folded = trie_pattern(t.lower() for t in latin if len(t) > 4)
    exact = trie_pattern(t for t in latin if len(t) <= 4)
    # Latin terms on word boundaries: "Down syndrome" is protected, "Downing" is not.
    edge, end = "(?<![A-Za-z0-9])", "(?![A-Za-z0-9])"
    return re.compile(f"{han}|(?i:{edge}{folded}{end})|{edge}{exact}{end}")


def protected_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every protected clinical term in ``text``."""
    for match in _pattern().finditer(text):
        yield match.start(), match.end()
