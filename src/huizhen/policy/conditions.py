"""The condition language of rule packs: a rule's ``when`` as data, compiled once and evaluated without ``eval``.

A condition is a YAML mapping of exactly one of these forms:

* ``{all: [C, ...]}`` / ``{any: [C, ...]}`` / ``{not: C}`` combine conditions
  (``all: []`` always holds, ``any: []`` never does);
* ``{missing: PATH}`` holds when the fact is unknown (absent or null), ``{present: PATH}``
  when it is known;
* ``{path: PATH, OP: OPERAND}`` compares a fact, with OP one of ``eq``, ``ne``, ``in``,
  ``not_in``, ``gt``, ``gte``, ``lt``, ``lte`` (a literal operand), ``contains``,
  ``contains_any``, ``contains_all`` (the fact is a list), or ``eq_path``, ``ne_path``,
  ``contains_path`` (the operand is another fact's path).

PATH is dotted (``data.identified``, ``derived.cross_border``) and must name a request
fact (:func:`huizhen.policy.request.fact_paths`); vocabulary operands are checked too.
A comparison on an unknown fact is *false* — so a condition that should fire when a fact
is not established is written ``{not: {path: P, eq: true}}``, which holds for false *and*
for unknown: missing facts count against the request.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

LOGICAL = ("all", "any", "not", "missing", "present")
LITERAL_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda fact, operand: bool(fact == operand),
    "ne": lambda fact, operand: bool(fact != operand),
    "in": lambda fact, operand: fact in operand,
    "not_in": lambda fact, operand: fact not in operand,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "contains": lambda fact, operand: operand in fact,
    "contains_any": lambda fact, operand: any(item in fact for item in operand),
    "contains_all": lambda fact, operand: all(item in fact for item in operand),
}
PATH_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq_path": lambda fact, other: bool(fact == other),
    "ne_path": lambda fact, other: bool(fact != other),
    "contains_path": lambda fact, other: other in fact,
}
LIST_OPERAND = {"in", "not_in", "contains_any", "contains_all"}
NUMBER_OPERAND = {"gt", "gte", "lt", "lte"}
LIST_FACT = {"contains", "contains_any", "contains_all", "contains_path"}


class ConditionError(ValueError):
    """A ``when`` clause that is not in the condition language (raised while packs load)."""


class Condition:
    """A compiled condition: ``holds(facts)`` and the paths it reads."""

    def holds(self, facts: Mapping[str, Any]) -> bool:
        raise NotImplementedError

    def paths(self) -> frozenset[str]:
        raise NotImplementedError


@dataclass(frozen=True)
class AllOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return all(part.holds(facts) for part in self.parts)

    def paths(self) -> frozenset[str]:
        return frozenset().union(*(part.paths() for part in self.parts))


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return any(part.holds(facts) for part in self.parts)

    def paths(self) -> frozenset[str]:
        return frozenset().union(*(part.paths() for part in self.parts))


@dataclass(frozen=True)
class Negation(Condition):
    part: Condition

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return not self.part.holds(facts)

    def paths(self) -> frozenset[str]:
        return self.part.paths()


@dataclass(frozen=True)
class Known(Condition):
    path: str
    expected: bool  # True for ``present``, False for ``missing``

    def holds(self, facts: Mapping[str, Any]) -> bool:
        return (resolve(facts, self.path) is not None) == self.expected

    def paths(self) -> frozenset[str]:
        return frozenset({self.path})


@dataclass(frozen=True)
class Comparison(Condition):
    path: str
    op: str
    operand: Any
    operand_is_path: bool = False

    def holds(self, facts: Mapping[str, Any]) -> bool:
        fact = resolve(facts, self.path)
        operand = resolve(facts, self.operand) if self.operand_is_path else self.operand
        if fact is None or (self.operand_is_path and operand is None):
            return False  # unknown facts establish nothing
        if self.op in LIST_FACT and not isinstance(fact, list | tuple):
            return False
        if self.op in NUMBER_OPERAND and (isinstance(fact, bool) or not isinstance(fact, int | float)):
            return False
        table = PATH_OPS if self.operand_is_path else LITERAL_OPS
        return table[self.op](fact, operand)

    def paths(self) -> frozenset[str]:
        return frozenset({self.path, self.operand}) if self.operand_is_path else frozenset({self.path})


def resolve(facts: Mapping[str, Any], path: str) -> Any:
    """The fact at a dotted path, or ``None`` when any step is absent."""
    value: Any = facts
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def compile_condition(
    spec: Any,
    *,
    known_paths: Collection[str] | None = None,
    vocabularies: Mapping[str, Collection[str]] | None = None,
    where: str = "when",
) -> Condition:
    """Compile a ``when`` clause; raise :class:`ConditionError` naming the first mistake.

    ``known_paths`` restricts PATH to request facts; ``vocabularies`` maps a path to the
    words its literal operands must come from (so ``data.classes`` cannot name an
    unknown class).
    """

    def fail(message: str) -> ConditionError:
        return ConditionError(f"{where}: {message}")

    def check_path(path: Any) -> str:
        if not isinstance(path, str) or not path:
            raise fail(f"a path must be a dotted string, not {path!r}")
        if known_paths is not None and path not in known_paths:
            raise fail(f"unknown fact {path!r}")
        return path

    def check_words(path: str, operand: Any) -> None:
        words = (vocabularies or {}).get(path)
        if words is None:
            return
        items = operand if isinstance(operand, list) else [operand]
        for item in items:
            if isinstance(item, str) and item not in words:
                raise fail(f"{item!r} is not in the vocabulary of {path}")

    if not isinstance(spec, Mapping):
        raise fail(f"a condition must be a mapping, not {spec!r}")
    keys = set(spec)
    logical = keys & set(LOGICAL)
    if logical:
        if len(keys) != 1:
            raise fail(f"{sorted(keys)}: a combinator stands alone in its mapping")
        (key,) = logical
        value = spec[key]
        if key in ("all", "any"):
            if not isinstance(value, list):
                raise fail(f"{key} takes a list of conditions")
            parts = tuple(
                compile_condition(part, known_paths=known_paths, vocabularies=vocabularies, where=f"{where}.{key}[{i}]")
                for i, part in enumerate(value)
            )
            return AllOf(parts) if key == "all" else AnyOf(parts)
        if key == "not":
            return Negation(
                compile_condition(value, known_paths=known_paths, vocabularies=vocabularies, where=f"{where}.not")
            )
        return Known(check_path(value), expected=key == "present")
    if "path" not in keys:
        raise fail(f"{sorted(keys)}: expected one of {', '.join(LOGICAL)} or a path comparison")
    ops = keys - {"path"}
    if len(ops) != 1:
        raise fail(f"a comparison takes exactly one operator, got {sorted(ops)}")
    (op,) = ops
    path = check_path(spec["path"])
    operand = spec[op]
    if op in PATH_OPS:
        return Comparison(path, op, check_path(operand), operand_is_path=True)
    if op not in LITERAL_OPS:
        raise fail(f"unknown operator {op!r} (known: {', '.join([*LITERAL_OPS, *PATH_OPS])})")
    if op in LIST_OPERAND and not isinstance(operand, list):
        raise fail(f"{op} takes a list")
    if op in NUMBER_OPERAND and (isinstance(operand, bool) or not isinstance(operand, int | float)):
        raise fail(f"{op} takes a number")
    check_words(path, operand)
    return Comparison(path, op, tuple(operand) if isinstance(operand, list) else operand)
