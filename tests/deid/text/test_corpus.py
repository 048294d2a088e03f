"""The synthetic clinical-note corpus: deterministic, large enough, labelled exactly."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from huizhen.deid.text import PHI_KINDS as SCRUBBER_KINDS
from huizhen.deid.text.corpus import (
    KEEP,
    LANGUAGES,
    NOTE_TYPES,
    PHI_KINDS,
    Note,
    generate,
    generate_note,
    load_jsonl,
    main,
    resident_id_checksum,
    resident_id_is_valid,
)


@pytest.fixture(scope="module")
def dev() -> list[Note]:
    return generate("dev")


@pytest.fixture(scope="module")
def test_split() -> list[Note]:
    return generate("test")


@pytest.fixture(scope="module")
def dev2() -> list[Note]:
    return generate("dev2")


@pytest.fixture(scope="module")
def dev3() -> list[Note]:
    return generate("dev3")


def test_the_same_split_is_generated_identically_twice(dev: list[Note]) -> None:
    assert generate("dev", count=50) == dev[:50]


def test_a_note_does_not_depend_on_the_notes_generated_before_it(dev: list[Note]) -> None:
    assert generate_note("dev", 123) == dev[123]


def test_each_split_has_at_least_500_notes(dev: list[Note], test_split: list[Note]) -> None:
    assert len(dev) >= 500
    assert len(test_split) >= 500


def test_the_dev_and_test_splits_differ(dev: list[Note], test_split: list[Note]) -> None:
    assert not {n.text for n in dev} & {n.text for n in test_split}


def test_the_test_split_has_names_the_dev_split_never_shows(dev: list[Note], test_split: list[Note]) -> None:
    dev_names = {s.text for n in dev for s in n.phi if s.kind == "NAME"}
    test_names = {s.text for n in test_split for s in n.phi if s.kind == "NAME"}
    assert len(test_names - dev_names) > len(test_names) / 2


def test_the_dev2_split_is_generated_identically_twice(dev2: list[Note]) -> None:
    assert generate("dev2", count=50) == dev2[:50]
    assert generate_note("dev2", 321) == dev2[321]


def test_the_dev2_split_has_at_least_500_notes_of_every_type_and_language(dev2: list[Note]) -> None:
    assert len(dev2) >= 500
    assert set(Counter((n.note_type, n.language) for n in dev2)) == set(itertools.product(NOTE_TYPES, LANGUAGES))


def test_the_dev2_split_shares_no_note_with_dev_or_test(
    dev: list[Note], dev2: list[Note], test_split: list[Note]
) -> None:
    assert not {n.text for n in dev2} & {n.text for n in dev + test_split}


def test_the_dev2_split_names_are_almost_all_unseen_in_dev_and_test(
    dev: list[Note], dev2: list[Note], test_split: list[Note]
) -> None:
    seen = {s.text for n in dev + test_split for s in n.phi if s.kind == "NAME"}
    dev2_names = {s.text for n in dev2 for s in n.phi if s.kind == "NAME"}
    assert len(dev2_names - seen) > 0.95 * len(dev2_names)


def test_gold_spans_of_a_dev2_note_do_not_overlap(dev2: list[Note]) -> None:
    for note in dev2:
        spans = sorted(note.phi + note.retain, key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in itertools.pairwise(spans)), note.id


def test_the_dev3_split_is_generated_identically_twice(dev3: list[Note]) -> None:
    assert generate("dev3", count=50) == dev3[:50]
    assert generate_note("dev3", 456) == dev3[456]


def test_the_dev3_split_has_at_least_500_notes_of_every_type_and_language(dev3: list[Note]) -> None:
    assert len(dev3) >= 500
    assert set(Counter((n.note_type, n.language) for n in dev3)) == set(itertools.product(NOTE_TYPES, LANGUAGES))


def test_the_dev3_split_shares_no_note_with_the_other_splits(
    dev: list[Note], dev2: list[Note], dev3: list[Note], test_split: list[Note]
) -> None:
    assert not {n.text for n in dev3} & {n.text for n in dev + dev2 + test_split}


def test_the_dev3_split_names_are_almost_all_unseen_in_the_other_splits(
    dev: list[Note], dev2: list[Note], dev3: list[Note], test_split: list[Note]
) -> None:
    seen = {s.text for n in dev + dev2 + test_split for s in n.phi if s.kind == "NAME"}
    dev3_names = {s.text for n in dev3 for s in n.phi if s.kind == "NAME" and len(s.text) > 1}
    assert len(dev3_names - seen) > 0.9 * len(dev3_names)


def test_gold_spans_of_a_dev3_note_do_not_overlap(dev3: list[Note]) -> None:
    for note in dev3:
        spans = sorted(note.phi + note.retain, key=lambda s: s.start)
        assert all(a.end <= b.start for a, b in itertools.pairwise(spans)), note.id


def test_the_dev3_split_names_people_in_letters_reports_and_forms(dev3: list[Note]) -> None:
    text = "\n".join(n.text for n in dev3)
    for cue in ("Dear Dr ", "Yours sincerely,", "cc: ", "Seen by: ", "参加讨论人员：", "复核医师：", "Forename(s): "):
        assert cue in text, cue


def test_the_dev3_split_writes_romanised_names_in_several_orders(dev3: list[Note]) -> None:
    names = {s.text for n in dev3 for s in n.phi if s.kind == "NAME"}
    assert any(re.fullmatch(r"[A-Z]{2,} [A-Z][a-z]+", name) for name in names)  # WANG Xiaoming
    assert any(re.fullmatch(r"[A-Z]\. [A-Z][a-z]+", name) for name in names)  # X. Wang
    assert any(re.fullmatch(r"[A-Z][a-z]+-[A-Z][a-z]+ [A-Z][a-z]+", name) for name in names)  # Xiao-Ming Wang
    assert any(re.fullmatch(r"[A-Z][a-z]+ [A-Z]{2}", name) for name in names)  # Wang XM


def test_an_unknown_split_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown split"):
        generate_note("train", 0)


@pytest.mark.parametrize("split", ["dev", "dev2", "dev3", "test"])
def test_every_gold_span_text_is_exactly_at_its_offsets(split: str) -> None:
    for note in generate(split):
        for span in note.phi + note.retain:
            assert note.text[span.start : span.end] == span.text, (note.id, span)
            assert span.text, (note.id, span)
            assert span.text.strip() == span.text, (note.id, span)


def test_gold_spans_of_a_note_do_not_overlap(dev: list[Note]) -> None:
    for note in dev:
        spans = sorted(note.phi + note.retain, key=lambda s: s.start)
        for before, after in itertools.pairwise(spans):
            assert before.end <= after.start, (note.id, before, after)


def test_every_language_and_note_type_is_present_in_every_combination(dev: list[Note]) -> None:
    combinations = Counter((n.note_type, n.language) for n in dev)
    for note_type in NOTE_TYPES:
        for language in LANGUAGES:
            assert combinations[(note_type, language)] >= 30, (note_type, language)


def test_every_phi_kind_is_labelled_in_every_language(dev: list[Note]) -> None:
    kinds_by_language: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for note in dev:
        kinds_by_language[note.language].update(s.kind for s in note.phi)
    for language, kinds in kinds_by_language.items():
        assert kinds == set(PHI_KINDS), (language, set(PHI_KINDS) - kinds)


def test_the_corpus_labels_the_kinds_the_scrubber_reports() -> None:
    assert set(PHI_KINDS) == set(SCRUBBER_KINDS)


def test_mixed_notes_mix_chinese_and_latin_script(dev: list[Note]) -> None:
    for note in dev:
        if note.language == "mixed":
            assert re.search(r"[\u4e00-\u9fff]", note.text), note.id
            assert re.search(r"[A-Za-z]{4,}", note.text), note.id


def test_resident_id_numbers_have_valid_check_characters(dev: list[Note], test_split: list[Note]) -> None:
    resident_ids = [
        s.text for n in dev + test_split for s in n.phi if s.kind == "ID_NUMBER" and len(s.text.replace(" ", "")) == 18
    ]
    assert len(resident_ids) > 100
    assert all(resident_id_is_valid(number) for number in resident_ids)


def test_the_check_character_follows_gb_11643() -> None:
    # The worked example of GB 11643-1999: 11010519491231002 has check character X.
    assert resident_id_checksum("11010519491231002") == "X"
    assert not resident_id_is_valid("110105194912310021")


def test_ages_are_labelled_only_over_89(dev: list[Note]) -> None:
    ages = [int(s.text) for n in dev for s in n.phi if s.kind == "AGE"]
    assert ages
    assert min(ages) >= 90


def test_clinical_terms_to_retain_include_eponyms_drugs_regimens_and_surname_words(dev: list[Note]) -> None:
    retained = {s.text for n in dev for s in n.retain}
    for term in ("霍奇金淋巴瘤", "Burkitt", "费城染色体", "Philadelphia chromosome", "Ann Arbor", "Reed-Sternberg"):
        assert term in retained, term
    for term in ("Epstein-Barr", "Waldenström", "R-CHOP", "利妥昔单抗", "rituximab", "MYC", "高血压", "白细胞"):
        assert term in retained, term
    assert all(s.kind == KEEP for n in dev for s in n.retain)


def test_place_names_appear_both_as_address_and_as_a_clinical_term(dev: list[Note], test_split: list[Note]) -> None:
    addresses = [s.text for n in dev + test_split for s in n.phi if s.kind == "ADDRESS"]
    assert any("Ann Arbor" in a for a in addresses) or any("Philadelphia" in a for a in addresses)


def test_the_command_writes_one_json_note_per_line(tmp_path: Path) -> None:
    out = tmp_path / "test.jsonl"
    assert main(["--split", "test", "--count", "12", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 12
    assert rows[0]["id"] == "test-0000"
    assert load_jsonl(out) == generate("test", count=12)


def test_the_test_split_has_phrasings_the_dev_split_never_uses(dev: list[Note], test_split: list[Note]) -> None:
    for cue in ("已知情同意", "门诊登记号", "Travel document:", "Follow-up booked for"):
        assert not any(cue in n.text for n in dev), cue
        assert any(cue in n.text for n in test_split), cue
