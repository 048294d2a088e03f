"""Word lists compiled into trie-shaped regular expressions, so that long lists scan fast.

Python's ``re`` tries the alternatives of ``a|b|c`` one by one at every position; a list of
hundreds of terms (clinical terms, place names, surnames, record-number cues) written that
way costs hundreds of failed attempts per character. Factoring the common prefixes into a
trie (``高(?:血(?:压|糖|脂)|热)``) lets each position fail after one or two characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""
_Trie = dict[str, "_Trie"]


def trie_pattern(words: Iterable[str]) -> str:
    """A non-capturing regular expression matching exactly ``words`` (longest first at a position)."""
    root: _Trie = {}
    for word in words:
        if not word:
            continue
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[_END] = {}
    if not root:
        return "(?!)"
    return "(?:" + _emit(root) + ")"


def _emit(node: _Trie) -> str:
    terminal = _END in node
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char != _END]
    if not branches:
        return ""
    if len(branches) == 1 and not terminal:
        return branches[0]
    group = "(?:" + "|".join(branches) + ")"
    return group + "?" if terminal else group
