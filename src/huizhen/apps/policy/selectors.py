"""Reading policy state: the loaded rule packs, recorded decisions and the export register's counts.

The register counts distinct individuals (one row each, see
:class:`~huizhen.apps.policy.models.ExportRegisterEntry`) per calendar year, origin,
destination and category: the unit of China's 2024 cross-border provisions (Arts. 7-8)
and, per destination, of the DOJ bulk thresholds (28 CFR 202.205-206).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from huizhen.apps.policy.models import DataCategory, ExportRegisterEntry, PolicyDecisionRecord
from huizhen.policy import RulePack, load_packs
from huizhen.policy.conditions import AllOf, AnyOf, Comparison, Condition

#: The page flags a register line from this share of its threshold on; the engine's own
#: ``warn`` rules may warn earlier in a decision (DSP-02 alerts at 50 %).
WARNING_SHARE = 0.8

VOLUME_PATH = "volume.individuals_exported_this_year"


@functools.cache
def rule_packs() -> tuple[RulePack, ...]:
    """The shipped rule packs, read once per process: they are files in the package, not data."""
    return tuple(load_packs())


def pack_versions(packs: Iterable[RulePack]) -> dict[str, str]:
    return {pack.id: str(pack.version) for pack in packs}


def decisions_newest_first(*, decision: str = "", case_ref: str = "") -> QuerySet[PolicyDecisionRecord]:
    records = PolicyDecisionRecord.objects.order_by("-at", "-id")
    if decision:
        records = records.filter(decision=decision)
    if case_ref:
        records = records.filter(case_ref=case_ref)
    return records


def decisions_for_case(case_ref: str) -> QuerySet[PolicyDecisionRecord]:
    """Every decision taken for a case, in the order it was taken."""
    return PolicyDecisionRecord.objects.filter(case_ref=case_ref).order_by("at", "id")


def individuals_exported(year: int, origin: str, destination: str, category: str) -> int:
    """How many distinct individuals' ``category`` data went from ``origin`` to ``destination`` in ``year``."""
    return individuals_exported_in(year=year, origin=origin, destination=destination, categories=[category])


def individuals_exported_in(*, year: int, origin: str, destination: str, categories: Iterable[str]) -> int:
    """Distinct individuals across several categories: someone exported twice, once per category, counts once."""
    return (
        ExportRegisterEntry.objects.filter(
            year=year,
            origin_country=origin.upper(),
            destination_country=destination.upper(),
            data_category__in=list(categories),
        )
        .values("subject_key")
        .distinct()
        .count()
    )


@dataclass(frozen=True)
class RegisterLine:
    year: int
    origin: str
    destination: str
    category: str
    individuals: int
    threshold: int | None

    @property
    def category_label(self) -> str:
        return str(DataCategory(self.category).label) if self.category in DataCategory.values else self.category

    @property
    def share(self) -> float | None:
        return None if not self.threshold else self.individuals / self.threshold

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else int(share * 100)

    @property
    def approaching(self) -> bool:
        share = self.share
        return share is not None and share >= WARNING_SHARE


def register_lines(*, thresholds: dict[tuple[str, str, str], int] | None = None) -> list[RegisterLine]:
    """One line per year, origin, destination and category, newest year first, with its threshold if any.

    ``thresholds`` maps (origin, destination, category) to the number of individuals at
    which a rule changes its answer; ``*`` matches any country.
    """
    table = thresholds if thresholds is not None else volume_thresholds()
    rows = (
        ExportRegisterEntry.objects.values("year", "origin_country", "destination_country", "data_category")
        .annotate(individuals=Count("subject_key", distinct=True))
        .order_by("-year", "origin_country", "destination_country", "data_category")
    )
    return [
        RegisterLine(
            year=row["year"],
            origin=row["origin_country"],
            destination=row["destination_country"],
            category=row["data_category"],
            individuals=row["individuals"],
            threshold=_threshold_for(table, row["origin_country"], row["destination_country"], row["data_category"]),
        )
        for row in rows
    ]


def _threshold_for(table: dict[tuple[str, str, str], int], origin: str, destination: str, category: str) -> int | None:
    for key in ((origin, destination, category), (origin, "*", category), ("*", destination, category)):
        if key in table:
            return table[key]
    return None


def volume_thresholds() -> dict[tuple[str, str, str], int]:
    """(origin, ``*``, category) → the export volume at which a CN or US pack rule denies or obliges.

    Read from the packs, not restated here: every ``deny`` or ``obligation`` rule of a
    country's pack that compares ``volume.individuals_exported_this_year`` with a
    number gives a threshold for exports out of that country, and the smallest one is
    shown, since it is the first the register will meet. The volume counts individuals
    exported *before* the one asked about, so a rule firing at ``gte N`` (``gt N``: at
    N + 1) guards the (N + 1)th individual: 9,999 already exported, the next makes the
    10,000 of the 2024 Provisions. The engine's own warnings (``warn`` rules) are in each
    decision.
    """
    table: dict[tuple[str, str, str], int] = {}
    for pack in rule_packs():
        if pack.is_program:
            continue
        binding = [rule for rule in pack.rules if rule.effect in ("deny", "obligation")]
        fires_at = [n for rule in binding for n in _volume_limits(rule.when)]
        if fires_at:
            for category in DataCategory.values:
                table[(pack.jurisdiction, "*", category)] = min(fires_at)
    return table


def _volume_limits(condition: Condition) -> list[int]:
    if isinstance(condition, AllOf | AnyOf):
        return [n for part in condition.parts for n in _volume_limits(part)]
    if (
        isinstance(condition, Comparison)
        and condition.path == VOLUME_PATH
        and condition.op in ("gt", "gte")
        and not condition.operand_is_path
        and isinstance(condition.operand, int)
    ):
        fires_at = condition.operand + (1 if condition.op == "gt" else 0)
        return [fires_at + 1]
    # A negated comparison (``not: volume >= N``) bounds the volume from above: no threshold.
    return []
