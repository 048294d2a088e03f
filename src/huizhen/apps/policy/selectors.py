"""Reading policy state: the loaded rule packs, recorded decisions and the export register's counts.

The register counts distinct individuals (one row each, see
:class:`~huizhen.apps.policy.models.ExportRegisterEntry`) per calendar year, origin,
destination and category: the unit of China's 2024 cross-border provisions (Arts. 7-8)
and, per destination, of the DOJ bulk thresholds (28 CFR 202.205-206). The DOJ Data
Security Program counts distinct *US persons* (202.256) per counterparty over the
preceding 12 months (202.205), read here from the rows marked ``us_person`` whose latest
export falls in the window, whatever their year row.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.apps.policy.models import DataCategory, ExportRegisterEntry, PolicyDecisionRecord
from huizhen.policy import RulePack, load_packs
from huizhen.policy.conditions import AllOf, AnyOf, Comparison, Condition
from huizhen.policy.vocabulary import DSP_COUNTRIES_OF_CONCERN, GENETIC_INFORMATION_CLASSES

#: The page flags a register line from this share of its threshold on; the engine's own
#: ``warn`` rules may warn earlier in a decision (DSP-02 alerts at 50 %).
WARNING_SHARE = 0.8

VOLUME_PATH = "volume.individuals_exported_this_year"
US_PERSONS_PATH = "volume.us_persons_12m"

#: "At any point in the preceding 12 months" (28 CFR 202.205), counted in days.
DSP_WINDOW = timedelta(days=365)

#: Register categories a DSP line counts: personal health data (28 CFR 202.241) and human
#: 'omic data (202.224), together; services.DSP_CATEGORIES explains why they are one number.
DSP_COUNTED_CATEGORIES = (DataCategory.HEALTH, DataCategory.OMIC)


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


def us_persons_exported_within(
    *, destination: str, categories: Iterable[str], now: datetime | None = None, window: timedelta = DSP_WINDOW
) -> int:
    """Distinct US persons whose ``categories`` data went to ``destination`` within ``window`` before ``now``.

    A subject counts when the latest export of them on any register row (any origin, any
    year) lies in the window: exported 300 days ago on last year's row, they count;
    400 days ago and not since, they do not. Someone exported twice counts once.
    """
    since = (now or timezone.now()) - window
    return (
        ExportRegisterEntry.objects.filter(
            destination_country=destination.upper(),
            us_person=True,
            data_category__in=list(categories),
            last_exported_at__gt=since,
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


@dataclass(frozen=True)
class DspThreshold:
    """A DOJ bulk threshold as the packs encode it on ``volume.us_persons_12m``.

    ``classes`` are the data classes the rule is limited to (empty: any health data);
    ``limit`` is the "more than N" of 28 CFR 202.205: with ``limit`` US persons already
    counted, the pack refuses the next one. ``warn_at`` is the count from which a ``warn``
    rule for the same classes fires (the rules file's 50 % alert), if any.
    """

    classes: tuple[str, ...]
    limit: int
    warn_at: int | None
    rules: tuple[str, ...]

    @property
    def label(self) -> str:
        if not self.classes:
            return str(DataCategory.HEALTH.label)
        if GENETIC_INFORMATION_CLASSES.issuperset(self.classes):
            return _("Human genomic data")
        return ", ".join(self.classes)

    @property
    def warn_percent(self) -> int | None:
        # warn_at counts those before the next export: the warning fires on the export
        # that makes warn_at + 1, which is the share the rules file states (50 %).
        return None if self.warn_at is None else round((self.warn_at + 1) * 100 / self.limit)


@dataclass(frozen=True)
class DspLine:
    destination: str
    threshold: DspThreshold
    us_persons: int

    @property
    def percent(self) -> int:
        return int(self.us_persons * 100 / self.threshold.limit)

    @property
    def approaching(self) -> bool:
        """The engine's ``warn`` rule would fire on the next US person's export (or the limit is reached)."""
        return self.threshold.warn_at is not None and self.us_persons >= self.threshold.warn_at

    @property
    def at_limit(self) -> bool:
        """The pack refuses the next US person's export to this destination."""
        return self.us_persons >= self.threshold.limit


def dsp_thresholds() -> list[DspThreshold]:
    """The DOJ bulk thresholds of the loaded country packs, any health data first, then narrower classes.

    Read from the packs, not restated here: a ``deny`` or ``obligation`` rule comparing
    ``volume.us_persons_12m`` with a number gives a limit for the data classes that rule
    is confined to (a sibling ``data.classes`` condition), and a ``warn`` rule's lower
    bound gives the warning point. The count is of US persons *already* sent there, so a
    rule firing at ``gte N`` (``gt N``: at N + 1) refuses the (N + 1)th: "more than N".
    """
    limits: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    warnings: dict[tuple[str, ...], int] = {}
    for pack in rule_packs():
        if pack.is_program:
            continue
        for rule in pack.rules:
            for classes, fires_at in _us_person_bounds(rule.when, ()):
                if rule.effect in ("deny", "obligation"):
                    limits.setdefault(classes, []).append((fires_at, rule.id))
                elif rule.effect == "warn":
                    warnings[classes] = min(fires_at, warnings.get(classes, fires_at))
    thresholds = []
    for classes, found in limits.items():
        limit = min(fires_at for fires_at, _rule in found)
        rules = tuple(sorted({rule for fires_at, rule in found if fires_at == limit}))
        thresholds.append(DspThreshold(classes=classes, limit=limit, warn_at=warnings.get(classes), rules=rules))
    return sorted(thresholds, key=lambda threshold: (len(threshold.classes) > 0, -threshold.limit))


def dsp_lines(*, now: datetime | None = None, thresholds: list[DspThreshold] | None = None) -> list[DspLine]:
    """One line per country of concern that received a US person's data in the window, per DSP threshold.

    Each line shows the number the engine is given as ``volume.us_persons_12m`` for an
    export there (health and 'omic data together), against that threshold.
    """
    table = thresholds if thresholds is not None else dsp_thresholds()
    since = (now or timezone.now()) - DSP_WINDOW
    destinations = sorted(
        set(
            ExportRegisterEntry.objects.filter(
                us_person=True,
                destination_country__in=sorted(DSP_COUNTRIES_OF_CONCERN),
                last_exported_at__gt=since,
            )
            .values_list("destination_country", flat=True)
            .distinct()
        )
    )
    lines: list[DspLine] = []
    for destination in destinations:
        count = us_persons_exported_within(destination=destination, categories=DSP_COUNTED_CATEGORIES, now=now)
        lines.extend(DspLine(destination=destination, threshold=threshold, us_persons=count) for threshold in table)
    return lines


def _us_person_bounds(condition: Condition, classes: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], int]]:
    """(data classes in scope, US-person count from which it holds) for each lower bound on the count."""
    if isinstance(condition, AllOf):
        own = tuple(
            sorted(
                item
                for part in condition.parts
                if isinstance(part, Comparison)
                and part.path == "data.classes"
                and part.op in ("contains", "contains_any")
                and not part.operand_is_path
                for item in ([part.operand] if part.op == "contains" else part.operand)
            )
        )
        for part in condition.parts:
            yield from _us_person_bounds(part, own or classes)
    elif isinstance(condition, AnyOf):
        for part in condition.parts:
            yield from _us_person_bounds(part, classes)
    elif (
        isinstance(condition, Comparison)
        and condition.path == US_PERSONS_PATH
        and condition.op in ("gt", "gte")
        and not condition.operand_is_path
        and isinstance(condition.operand, int)
    ):
        yield classes, condition.operand + (1 if condition.op == "gt" else 0)
    # A negation bounds the count from above: no threshold.
