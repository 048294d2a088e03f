"""Seeded synthetic DICOM for tests and benchmarks: a PHI-planted corpus and a large CT series.

The corpus plants identifiers wherever a hospital's data hides them, so that a leak test
cannot pass vacuously: a value in every PN, LO, SH, LT, ST, UT, UC, AE, DA, DT and AS
attribute of DICOM PS3.15 Annex E, Table E.1-1 (read from :mod:`huizhen.deid.dicom.table`),
identifiers in nested sequences (items two sequences deep), vendor-like private blocks, Chinese and
English free text, file and folder names, and Chinese names in the character sets of
PS3.5 Section 6.1 that Chinese hospitals use (ISO_IR 192, GB18030, GBK, ISO 2022 IR 58).
Every plant is recorded in :class:`PlantedPHI` with its attribute, path and exact bytes.
The CT generator writes a realistic CT Image IOD (PS3.3 A.3) series for speed measurements.
Both are deterministic: the same seed gives byte-identical files. No numpy is needed, so
tests run without the benchmark dependency group.
"""

from __future__ import annotations

import copy
import hashlib
import random
import struct
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pydicom
from pydicom.charset import convert_encodings
from pydicom.data import get_testdata_file
from pydicom.datadict import dictionary_VR, keyword_for_tag
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import (
    UID,
    CTImageStorage,
    DigitalXRayImageStorageForPresentation,
    ExplicitVRLittleEndian,
    MRImageStorage,
    SecondaryCaptureImageStorage,
    UltrasoundImageStorage,
)
from pydicom.valuerep import PersonName

from huizhen.deid.dicom.table import ROWS
from huizhen.deid.dicom.vault import SHIFT_MAX_DAYS, SHIFT_MIN_DAYS

# Text VRs that carry identifiers as characters; numbers, codes (CS) and binary are not planted.
PLANTED_VRS = frozenset({"PN", "LO", "SH", "LT", "ST", "UT", "UC", "AE", "DA", "DT", "AS"})

# The character sets of Chinese hospitals (PS3.3 C.12.1.1.2). pydicom 3 encodes the first
# three; ISO 2022 IR 58 it decodes but does not encode (it writes EUC-CN without the
# escape sequence), so those values are written here as raw bytes with ESC $ ) A.
CHARSETS: tuple[tuple[str, ...], ...] = (("ISO_IR 192",), ("GB18030",), ("GBK",), ("", "ISO 2022 IR 58"))

# A UID root for the generator's own implementation (file meta, PS3.10 7.1); fixed so files are reproducible.
_IMPLEMENTATION_CLASS_UID = UID("1.2.826.0.1.3680043.10.1509.1")

_ESC_IR58 = b"\x1b$)A"
# PS3.5 6.1.2.5.3: these reset the G1 designation, so the escape is repeated after them.
_IR58_RESETS = frozenset("^=\\\r\n\t\f")

_SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "WANG"), ("李", "LI"), ("张", "ZHANG"), ("刘", "LIU"), ("陈", "CHEN"), ("杨", "YANG"),
    ("黄", "HUANG"), ("赵", "ZHAO"), ("吴", "WU"), ("周", "ZHOU"), ("徐", "XU"), ("孙", "SUN"),
    ("马", "MA"), ("朱", "ZHU"), ("胡", "HU"), ("郭", "GUO"), ("何", "HE"), ("林", "LIN"),
    ("罗", "LUO"), ("高", "GAO"),
)  # fmt: skip
_GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    ("伟", "WEI"), ("芳", "FANG"), ("娜", "NA"), ("敏", "MIN"), ("静", "JING"), ("丽", "LI"),
    ("强", "QIANG"), ("磊", "LEI"), ("军", "JUN"), ("洋", "YANG"), ("勇", "YONG"), ("艳", "YAN"),
    ("杰", "JIE"), ("娟", "JUAN"), ("涛", "TAO"), ("明", "MING"), ("超", "CHAO"), ("秀", "XIU"),
    ("霞", "XIA"), ("平", "PING"), ("刚", "GANG"), ("桂", "GUI"), ("英", "YING"), ("华", "HUA"),
    ("建", "JIAN"), ("国", "GUO"), ("晓", "XIAO"), ("东", "DONG"), ("海", "HAI"), ("燕", "YAN"),
    ("志", "ZHI"), ("文", "WEN"), ("博", "BO"), ("玉", "YU"), ("兰", "LAN"), ("春", "CHUN"),
    ("梅", "MEI"), ("红", "HONG"), ("宇", "YU"), ("婷", "TING"),
)  # fmt: skip
_HOSPITALS = (
    "北京协和医院",
    "四川大学华西医院",
    "复旦大学附属中山医院",
    "浙江大学医学院附属第一医院",
    "中山大学附属第一医院",
)
_DEPARTMENTS = ("放射科", "影像科", "超声科", "心内科", "呼吸内科", "胸外科")
_STREETS = ("东城区帅府园1号", "武侯区国学巷37号", "徐汇区枫林路180号", "上城区庆春路79号", "越秀区中山二路58号")
_CITIES = ("北京市", "成都市", "上海市", "杭州市", "广州市")


@dataclass(frozen=True)
class Person:
    """A synthetic person: Chinese characters and pinyin, as a DICOM PN value (PS3.5 6.2.1)."""

    family_cn: str
    given_cn: str
    family_py: str
    given_py: str

    @property
    def pn(self) -> str:
        # Alphabetic and ideographic component groups, as Chinese hospitals send them.
        return f"{self.family_py}^{self.given_py}={self.family_cn}^{self.given_cn}"

    @property
    def cn(self) -> str:
        return self.family_cn + self.given_cn


@dataclass(frozen=True)
class Plant:
    """One planted identifier: where it is, the exact bytes written, and whether it must go.

    ``expected_removed`` is False only for what the default second-opinion profile keeps on
    purpose (Retain Patient Characteristics: age, ethnic group); everything else must not
    survive de-identification in any encoding.
    """

    value: str
    kind: str
    attribute: str
    path: str
    file: str
    charset: str
    encoded: bytes
    expected_removed: bool = True

    def needles(self) -> frozenset[bytes]:
        """Byte strings whose presence in an output means this value leaked.

        The value as planted, in UTF-8 (the engine's output charset) and in GB18030 (which
        also covers GBK and the GB 2312 bytes of ISO 2022 IR 58); for person names also
        each component group and the name written without the caret, as it appears in text.
        """
        texts = {self.value}
        if self.kind in ("patient-name", "person-name"):
            for group in self.value.split("="):
                texts.add(group)
                texts.add(group.replace("^", ""))
        found = {self.encoded}
        for text in texts:
            for codec in ("utf-8", "gb18030"):
                encoded = text.encode(codec, errors="ignore")
                # Short needles would match pixel noise, not identifiers.
                if len(encoded) >= 4:
                    found.add(encoded)
        return frozenset(found)


@dataclass(frozen=True)
class Leak:
    """A planted value found in an output file's bytes or in an output path."""

    value: str
    kind: str
    where: str


@dataclass
class PlantedPHI:
    """Everything a corpus planted, so tests and the benchmark can count leaks."""

    root: Path
    files: list[str] = field(default_factory=list)
    plants: list[Plant] = field(default_factory=list)

    def identifiers(self) -> dict[str, frozenset[bytes]]:
        """Each value that must not survive, with the needles that betray it."""
        needles: dict[str, set[bytes]] = {}
        for plant in self.plants:
            if plant.expected_removed:
                needles.setdefault(plant.value, set()).update(plant.needles())
        return {value: frozenset(found) for value, found in needles.items()}

    def kinds(self) -> dict[str, str]:
        """The kind of each planted value (first plant wins)."""
        kinds: dict[str, str] = {}
        for plant in self.plants:
            kinds.setdefault(plant.value, plant.kind)
        return kinds

    def leaks(self, out_dir: Path, *, kinds: Iterable[str] | None = None) -> list[Leak]:
        """Search every file under ``out_dir`` (bytes) and every relative path for planted values.

        ``kinds`` restricts the search (e.g. leave out "date" when a run's random date shift
        could by chance land on another patient's planted date).
        """
        wanted = None if kinds is None else frozenset(kinds)
        value_kinds = self.kinds()
        contents: list[tuple[str, bytes]] = []
        for path in sorted(out_dir.rglob("*")):
            if path.is_file():
                relative = path.relative_to(out_dir).as_posix()
                contents.append((relative, path.read_bytes()))
        # One joined blob makes the common case (no leak) one search per needle.
        blob = b"\x00".join(data for _, data in contents)
        paths = "\n".join(relative for relative, _ in contents)
        leaks: list[Leak] = []
        for value, needles in self.identifiers().items():
            kind = value_kinds[value]
            if wanted is not None and kind not in wanted:
                continue
            for needle in needles:
                if needle in blob:
                    where = next(relative for relative, data in contents if needle in data)
                    leaks.append(Leak(value, kind, where))
                    break
            else:
                texts = {needle.decode("utf-8", errors="ignore") for needle in needles}
                if any(len(text) >= 2 and text in paths for text in texts):
                    leaks.append(Leak(value, kind, "path"))
        return leaks


def encode_ir58(text: str) -> bytes:
    """Encode ``text`` for Specific Character Set ``\\ISO 2022 IR 58`` (PS3.5 6.1.2.5.3, Annex K).

    ASCII stays in G0; each run of Chinese is GB 2312 in G1, designated by ESC $ ) A at the
    first use after the start of the value or a delimiter that resets the designation.
    """
    out = bytearray()
    designated = False
    for char in text:
        if char in _IR58_RESETS:
            designated = False
        if ord(char) < 0x80:
            out += char.encode("ascii")
            continue
        if not designated:
            out += _ESC_IR58
            designated = True
        out += char.encode("gb2312")
    return bytes(out)


def _uid(seed: int, *parts: object) -> str:
    # A deterministic 2.25 UID (PS3.5 B.2) from the seed: same seed, same files. (pydicom's
    # generate_uid ignores its entropy sources when prefix is None and returns a random UUID.)
    digest = hashlib.sha256("/".join(str(part) for part in (seed, *parts)).encode()).digest()
    return f"2.25.{int.from_bytes(digest[:16], 'big')}"


@dataclass
class _Patient:
    index: int
    person: Person
    mrn: str
    national_id: str
    phone: str
    address: str
    hospital: str
    department: str
    birth_date: str
    visit_dates: tuple[str, str]
    age: str
    charset: tuple[str, ...]


class _Planter:
    """Builds one object's header and records every value it plants."""

    def __init__(self, *, rng: random.Random, patient: _Patient, people: _People, phi: PlantedPHI) -> None:
        self.rng = rng
        self.patient = patient
        self.people = people
        self.phi = phi
        self.file = ""
        self.counter = 0
        self.visit = 0
        self.encodings = convert_encodings(list(patient.charset))
        self.memo: dict[tuple[str, int], tuple[str, str]] = {}
        self.people_memo: dict[tuple[str, int], Person] = {}

    @property
    def charset_name(self) -> str:
        return "\\".join(self.patient.charset)

    def code(self) -> str:
        # Makes each planted value unique, so a leak names its attribute.
        self.counter += 1
        return f"H{self.patient.index}{self.counter:03d}"

    def encode(self, text: str) -> bytes:
        if self.patient.charset[-1] == "ISO 2022 IR 58":
            return encode_ir58(text)
        if self.patient.charset[0] == "ISO_IR 192":
            return text.encode("utf-8")
        return text.encode("gb18030")

    def element_value(self, vr: str, text: str) -> object:
        """The value to give pydicom: a str it can encode, or raw bytes it cannot (IR 58)."""
        if self.patient.charset[-1] != "ISO 2022 IR 58" or text.isascii():
            return text
        raw = self.encode(text)
        if vr == "PN":
            # PersonName keeps the original bytes when written with the same encodings.
            return PersonName(raw, encodings=self.encodings)
        return raw

    def record(
        self,
        *,
        value: str,
        kind: str,
        attribute: str,
        path: str,
        expected_removed: bool = True,
        ascii_only: bool = False,
    ) -> None:
        encoded = value.encode("ascii") if ascii_only else self.encode(value)
        self.phi.plants.append(
            Plant(value, kind, attribute, path, self.file, self.charset_name, encoded, expected_removed)
        )

    def put(
        self, ds: Dataset, tag: int, vr: str, text: str, *, kind: str, path: str, expected_removed: bool = True
    ) -> None:
        ds.add_new(tag, vr, self.element_value(vr, text))
        attribute = keyword_for_tag(tag) or f"({tag >> 16:04X},{tag & 0xFFFF:04X})"
        ascii_only = vr in ("AE", "DA", "DT", "AS")
        self.record(
            value=text,
            kind=kind,
            attribute=attribute,
            path=path,
            expected_removed=expected_removed,
            ascii_only=ascii_only,
        )

    def value_for(self, tag: int, vr: str, name: str) -> tuple[str, str]:
        """A realistic identifying value for a table attribute: (text, kind).

        The same for every object of one visit, as in a hospital's export, so the corpus
        counts each identifier once however many files carry it.
        """
        key = (f"{tag:08X}", self.visit)
        if key not in self.memo:
            self.memo[key] = self._new_value_for(tag, vr, name)
        return self.memo[key]

    def visit_person(self, slot: str) -> Person:
        """A person planted in a sequence: one per slot and visit, the same in every object."""
        key = (slot, self.visit)
        if key not in self.people_memo:
            self.people_memo[key] = self.people.new()
        return self.people_memo[key]

    def _new_value_for(self, tag: int, vr: str, name: str) -> tuple[str, str]:
        p = self.patient
        lname = name.lower()
        code = self.code()
        if vr == "PN":
            if tag == 0x00100010:
                return p.person.pn, "patient-name"
            return self.people.new().pn, "person-name"
        if vr == "DA":
            return (p.birth_date if "birth" in lname else p.visit_dates[self.visit]), "date"
        if vr == "DT":
            base = p.birth_date if "birth" in lname else p.visit_dates[self.visit]
            return f"{base}{8 + self.counter % 10:02d}{self.counter % 60:02d}17", "datetime"
        if vr == "AS":
            return p.age, "age"
        if vr == "AE":
            return f"AE{code}", "device"
        if "institution" in lname and "address" not in lname:
            return f"{p.hospital}{code}", "institution"
        if "address" in lname:
            return f"{_CITIES[p.index % len(_CITIES)]}{p.address}{code}", "address"
        if "telephone" in lname or "phone" in lname:
            return f"+86-{self.rng.randrange(10, 99)}-{self.rng.randrange(10**7, 10**8)}", "phone"
        if "department" in lname:
            return f"{p.department}{code}", "institution"
        if vr == "SH":
            if "station" in lname or "serial" in lname or "device" in lname:
                return f"DEV-{code}", "device"
            return f"ID{self.rng.randrange(10**9, 10**10)}"[:16], "identifier"
        if ("id" in lname.split() or "number" in lname) and vr == "LO":
            return f"{p.mrn[:2]}{self.rng.randrange(10**9, 10**10)}", "identifier"
        if "station" in lname or "device" in lname or "serial" in lname or "operator" in lname:
            return f"{p.hospital}-DEV-{code}", "device"
        if vr == "LO":
            return f"{p.person.cn} 住院号{p.mrn} {code}", "text"
        return (
            f"患者{p.person.cn}，住院号{p.mrn}，身份证号{p.national_id}，电话{p.phone}，住址{p.address}。"
            f"Patient {p.person.given_py.title()} {p.person.family_py.title()}, MRN {p.mrn}, tel {p.phone}. {code}",
            "text",
        )


class _People:
    """Unique synthetic people: no two share a given name, so leaks are attributable."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> Person:
        while True:
            family = self.rng.choice(_SURNAMES)
            first, second = self.rng.sample(_GIVEN_CHARS, 2)
            given_cn = first[0] + second[0]
            given_py = first[1] + second[1]
            if given_cn not in self.used and given_py not in self.used:
                self.used.update({given_cn, given_py})
                return Person(family[0], given_cn, family[1], given_py)


# Which table attributes are planted: text VRs, not file meta (group 0002 is written by
# pydicom from the dataset), not the ones the generator sets itself.
_SET_BY_GENERATOR = frozenset({0x00080005})


def _table_text_tags() -> list[tuple[int, str, str, bool]]:
    """(tag, VR, name, retained by default) for every planted attribute of Table E.1-1."""
    tags: list[tuple[int, str, str, bool]] = []
    for tag, row in sorted(ROWS.items()):
        if tag >> 16 == 0x0002 or tag in _SET_BY_GENERATOR:
            continue
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            continue
        if vr not in PLANTED_VRS:
            continue
        options = dict(row.options)
        # Retain Patient Characteristics (113108) is on by default for second opinions.
        retained = options.get("rtnPatCharsOpt") == "K" or row.basic == "K"
        tags.append((tag, vr, row.name, retained))
    return tags


def _make_patient(index: int, rng: random.Random, people: _People) -> _Patient:
    person = people.new()
    # Dates lie further apart than the vault's shift window (SHIFT_MIN_DAYS..SHIFT_MAX_DAYS,
    # always backwards): a patient's second visit is less than a year after the first, and
    # patients are more than the window apart, so no shifted date can land on a planted one
    # and a byte search for planted dates has no false positives.
    spacing = timedelta(days=-SHIFT_MIN_DAYS + 400)
    birth_day = date(1905, 1, 1) + index * spacing + timedelta(days=rng.randrange(0, 300))
    first_day = date(1975, 1, 1) + index * spacing + timedelta(days=rng.randrange(0, 60))
    second_day = first_day + timedelta(days=-SHIFT_MAX_DAYS - rng.randrange(1, 200))
    birth, first, second = (day.strftime("%Y%m%d") for day in (birth_day, first_day, second_day))
    visit_year, birth_year = first_day.year, birth_day.year
    area = rng.choice(("110105", "510107", "310104", "330102", "440104"))
    national_id = f"{area}{birth}{rng.randrange(100, 999)}{rng.choice('0123456789X')}"
    return _Patient(
        index=index,
        person=person,
        mrn=f"ZY{rng.randrange(10**7, 10**8)}",
        national_id=national_id,
        phone=f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
        address=_STREETS[index % len(_STREETS)],
        hospital=_HOSPITALS[index % len(_HOSPITALS)],
        department=rng.choice(_DEPARTMENTS),
        birth_date=birth,
        visit_dates=(first, second),
        age=f"{visit_year - birth_year:03d}Y",
        charset=CHARSETS[index % len(CHARSETS)],
    )


@dataclass(frozen=True)
class _ObjectSpec:
    modality: str
    sop_class: str
    visit: int
    burned_in: str | None
    compressed: str | None = None  # pydicom test file whose encapsulated pixel data is reused
    color: bool = False


def _object_specs(index: int) -> list[_ObjectSpec]:
    specs = [
        _ObjectSpec("CT", CTImageStorage, 0, "NO"),
        _ObjectSpec("CT", CTImageStorage, 0, "NO"),
        _ObjectSpec("MR", MRImageStorage, 1, None),
        _ObjectSpec("US", UltrasoundImageStorage, 1, "NO", color=True),
        _ObjectSpec("SC", SecondaryCaptureImageStorage, 0, None),
        _ObjectSpec("DX", DigitalXRayImageStorageForPresentation, 1, "NO"),
        _ObjectSpec("DX", DigitalXRayImageStorageForPresentation, 1, None),
        _ObjectSpec("DX", DigitalXRayImageStorageForPresentation, 0, "YES"),
    ]
    # Compressed objects pass through untouched (issue item 9): RLE and JPEG baseline.
    if index % 2 == 0:
        specs.append(_ObjectSpec("MR", MRImageStorage, 1, "NO", compressed="MR_small_RLE.dcm"))
    else:
        specs.append(
            _ObjectSpec("SC", SecondaryCaptureImageStorage, 0, "NO", compressed="SC_rgb_jpeg_dcmtk.dcm", color=True)
        )
    return specs


_IMAGE_PIXEL_KEYWORDS = (
    "SamplesPerPixel", "PhotometricInterpretation", "Rows", "Columns", "BitsAllocated",
    "BitsStored", "HighBit", "PixelRepresentation", "PlanarConfiguration", "NumberOfFrames",
)  # fmt: skip


def _plain_pixels(rng: random.Random, rows: int, cols: int, *, color: bool) -> bytes:
    if color:
        return bytes(rng.randrange(0, 200) for _ in range(rows * cols * 3))
    # 12-bit values: every high byte is < 0x10, so pixel noise never forms a GB 2312 needle.
    return array("H", (rng.randrange(0, 4096) for _ in range(rows * cols))).tobytes()


def _set_image(ds: Dataset, spec: _ObjectSpec, rng: random.Random) -> str:
    """Set the Image Pixel module; returns the transfer syntax UID."""
    if spec.compressed is not None:
        source = pydicom.dcmread(str(get_testdata_file(spec.compressed)))
        for keyword in _IMAGE_PIXEL_KEYWORDS:
            if keyword in source:
                setattr(ds, keyword, getattr(source, keyword))
        ds["PixelData"] = copy.deepcopy(source["PixelData"])
        return str(source.file_meta.TransferSyntaxUID)
    rows, cols = 16, 16
    ds.Rows, ds.Columns = rows, cols
    if spec.color:
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        ds.add_new(0x7FE00010, "OB", _plain_pixels(rng, rows, cols, color=True))
    else:
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        ds.add_new(0x7FE00010, "OW", _plain_pixels(rng, rows, cols, color=False))
    ds.PixelRepresentation = 0
    return str(ExplicitVRLittleEndian)


def _sequence_item(planter: _Planter, path: str, *entries: tuple[int, str, str, str]) -> Dataset:
    item = Dataset()
    for tag, vr, text, kind in entries:
        planter.put(item, tag, vr, text, kind=kind, path=f"{path}.{keyword_for_tag(tag)}")
    return item


def _plant_sequences(ds: Dataset, planter: _Planter, seed: int) -> None:
    """Identifiers inside nested sequences, down to items two sequences deep, as RIS and PACS send them."""
    p = planter.patient
    code = planter.code

    other = _sequence_item(
        planter, "OtherPatientIDsSequence[0]",
        (0x00100020, "LO", f"OP{p.mrn[2:]}{code()}", "identifier"),
        (0x00100021, "LO", f"{p.hospital}{code()}", "institution"),
    )  # fmt: skip
    other.TypeOfPatientID = "TEXT"
    qualifier = _sequence_item(
        planter, "OtherPatientIDsSequence[0].IssuerOfPatientIDQualifiersSequence[0]",
        (0x00400032, "UT", f"身份证号{p.national_id}", "identifier"),
    )  # fmt: skip
    other.IssuerOfPatientIDQualifiersSequence = DicomSequence([qualifier])
    ds.OtherPatientIDsSequence = DicomSequence([other])

    referenced_patient = _sequence_item(
        planter, "ReferencedPatientSequence[0]",
        (0x00100010, "PN", planter.visit_person("referenced").pn, "person-name"),
        (0x00100020, "LO", f"RP{p.mrn[2:]}{code()}", "identifier"),
    )  # fmt: skip
    referenced_patient.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.1.1"
    referenced_patient.ReferencedSOPInstanceUID = _uid(seed, p.index, "patient")
    ds.ReferencedPatientSequence = DicomSequence([referenced_patient])

    request = _sequence_item(
        planter, "RequestAttributesSequence[0]",
        (0x00080050, "SH", f"A{planter.rng.randrange(10**9, 10**10)}", "identifier"),
        (0x00401001, "SH", f"RQ{planter.rng.randrange(10**8, 10**9)}", "identifier"),
        (0x00321060, "LO", f"胸部CT平扫 {p.person.cn} {code()}", "text"),
        (0x00400007, "LO", f"CT chest for {p.person.family_py} {p.mrn} {code()}", "text"),
    )  # fmt: skip
    procedure_code = _sequence_item(
        planter, "RequestAttributesSequence[0].RequestedProcedureCodeSequence[0]",
        (0x00080104, "LO", f"胸部CT {p.person.cn} 住院号{p.mrn}", "text"),
    )  # fmt: skip
    procedure_code.CodeValue = "HZ-CT01"
    procedure_code.CodingSchemeDesignator = "99HZ"
    request.RequestedProcedureCodeSequence = DicomSequence([procedure_code])
    issuer = _sequence_item(
        planter, "RequestAttributesSequence[0].IssuerOfAccessionNumberSequence[0]",
        (0x00400031, "UT", f"{p.hospital}放射科{code()}", "institution"),
    )  # fmt: skip
    request.IssuerOfAccessionNumberSequence = DicomSequence([issuer])
    ds.RequestAttributesSequence = DicomSequence([request])

    procedure = _sequence_item(
        planter, "ProcedureCodeSequence[0]",
        (0x00080104, "LO", f"CT检查 {p.person.cn} {code()}", "text"),
    )  # fmt: skip
    procedure.CodeValue = "HZ-CT02"
    procedure.CodingSchemeDesignator = "99HZ"
    ds.ProcedureCodeSequence = DicomSequence([procedure])

    # Physician identification -> person identification code -> code meaning (two sequences deep).
    physician = planter.visit_person("physician")
    person_code = _sequence_item(
        planter, "ReferringPhysicianIdentificationSequence[0].PersonIdentificationCodeSequence[0]",
        (0x00080104, "LO", f"{physician.cn} 工号{code()}", "person-name"),
    )  # fmt: skip
    person_code.CodeValue = f"EMP{planter.counter:04d}"
    person_code.CodingSchemeDesignator = "99HZ"
    identification = _sequence_item(
        planter, "ReferringPhysicianIdentificationSequence[0]",
        (0x00401102, "ST", f"{_CITIES[p.index % len(_CITIES)]}{p.address}{code()}", "address"),
        (0x00401103, "LO", f"+86-10-{planter.rng.randrange(10**7, 10**8)}", "phone"),
        (0x00080080, "LO", f"{p.hospital}{code()}", "institution"),
    )  # fmt: skip
    identification.PersonIdentificationCodeSequence = DicomSequence([person_code])
    ds.ReferringPhysicianIdentificationSequence = DicomSequence([identification])


def _plant_private(ds: Dataset, planter: _Planter) -> None:
    """Vendor-like private blocks (PS3.5 7.8) holding names, IDs and Chinese free text."""
    p = planter.patient

    def private(group: int, creator: str, offset: int, vr: str, text: str, kind: str) -> None:
        block = ds.private_block(group, creator, create=True)
        tag = block.get_tag(offset)
        block.add_new(offset, vr, planter.element_value(vr, text))
        planter.record(value=text, kind=kind, attribute=f"({group:04X},{tag & 0xFFFF:04X}) {creator}",
                       path=f"({group:04X},{tag & 0xFFFF:04X})", ascii_only=text.isascii())  # fmt: skip

    private(0x0009, "GEMS_IDEN_01", 0x02, "SH", f"GE{planter.code()}", "device")
    private(0x0009, "GEMS_IDEN_01", 0x04, "LO", f"{p.person.family_py}^{p.person.given_py} {p.mrn}", "private")
    private(0x0011, "GEMS_PATI_01", 0x10, "LO", f"{p.person.cn}{planter.code()}", "private")
    # A Siemens-like CSA blob: binary, with the name and ID inside as text.
    csa = f"SV10\x04\x03\x02\x01PatientName\x00{p.person.family_py}^{p.person.given_py}\x00PatientID\x00{p.mrn}CSA"
    block = ds.private_block(0x0029, "SIEMENS CSA HEADER", create=True)
    block.add_new(0x10, "OB", csa.encode("ascii"))
    planter.record(value=f"{p.person.family_py}^{p.person.given_py}\x00PatientID\x00{p.mrn}CSA", kind="private",
                   attribute="(0029,1010) SIEMENS CSA HEADER", path="(0029,1010)", ascii_only=True)  # fmt: skip
    private(
        0x0017, "NEUSOFT_PACS", 0x10, "LT",
        f"姓名：{p.person.cn}；住院号：{p.mrn}；身份证号：{p.national_id}；电话：{p.phone}；{planter.code()}",
        "private",
    )  # fmt: skip
    # A Philips-like private sequence whose item holds identifiers (depth 2 inside private data).
    item = Dataset()
    item_block = item.private_block(0x2005, "Philips MR Imaging DD 001", create=True)
    text = f"{p.person.cn} {p.hospital} {planter.code()}"
    item_block.add_new(0x20, "LO", planter.element_value("LO", text))
    planter.record(value=text, kind="private", attribute="(2005,1020) Philips MR Imaging DD 001",
                   path="(2005,1080)[0].(2005,1020)")  # fmt: skip
    outer = ds.private_block(0x2005, "Philips MR Imaging DD 001", create=True)
    outer.add_new(0x80, "SQ", DicomSequence([item]))


def _build_object(
    *, planter: _Planter, spec: _ObjectSpec, seed: int, study: int, series: int, instance: int
) -> tuple[FileMetaDataset, Dataset]:
    p = planter.patient
    planter.visit = spec.visit
    ds = Dataset()
    ds.SpecificCharacterSet = list(p.charset) if len(p.charset) > 1 else p.charset[0]
    ds.SOPClassUID = spec.sop_class
    ds.SOPInstanceUID = _uid(seed, p.index, study, series, instance)
    ds.StudyInstanceUID = _uid(seed, p.index, study)
    ds.SeriesInstanceUID = _uid(seed, p.index, study, series)
    ds.FrameOfReferenceUID = _uid(seed, p.index, study, "frame")
    ds.Modality = spec.modality
    ds.PatientSex = "M" if p.index % 2 == 0 else "F"
    ds.SeriesNumber = series
    ds.InstanceNumber = instance
    ds.Manufacturer = "Huizhen Synthetic"
    ds.StudyTime = "093000"
    if spec.burned_in is not None:
        ds.BurnedInAnnotation = spec.burned_in
    for tag, vr, name, retained in _table_text_tags():
        text, kind = planter.value_for(tag, vr, name)
        planter.put(ds, tag, vr, text, kind=kind, path=keyword_for_tag(tag) or name, expected_removed=not retained)
    # Sequences and private blocks get the same values in every object of a visit: their
    # codes and random numbers restart from a per-visit state.
    saved = (planter.counter, planter.rng)
    planter.counter = 900 + 100 * spec.visit
    planter.rng = random.Random(f"{seed}/{p.index}/{spec.visit}")  # noqa: S311 - seeded test data
    # Overlay Comments, a repeating group of the table: (60xx,4000).
    planter.put(ds, 0x60004000, "LT", f"测量 {p.person.cn} {planter.code()}", kind="text", path="OverlayComments")
    _plant_sequences(ds, planter, seed)
    _plant_private(ds, planter)
    planter.counter, planter.rng = saved
    transfer_syntax = _set_image(ds, spec, planter.rng)

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(ds.SOPClassUID)
    meta.MediaStorageSOPInstanceUID = UID(ds.SOPInstanceUID)
    meta.TransferSyntaxUID = UID(transfer_syntax)
    meta.ImplementationClassUID = _IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = "HUIZHEN_SYN"
    return meta, ds


def _write(path: Path, meta: FileMetaDataset, ds: Dataset) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.file_meta = meta
    ds.preamble = b"\x00" * 128
    ds.save_as(path, enforce_file_format=True)


def generate_phi_corpus(out_dir: Path, *, seed: int = 5, n_patients: int = 4) -> PlantedPHI:
    """Write a PHI-planted corpus of ``n_patients`` patients under ``out_dir``.

    Each patient has two visits (studies) with CT, MR, US, SC and DX objects (DX with
    Burned In Annotation YES, NO and absent), one compressed object, and its own character
    set. Folders and file names carry the patient's name and MRN, as exported by hospitals.
    """
    rng = random.Random(seed)  # noqa: S311 - seeded test data, not a secret
    people = _People(rng)
    phi = PlantedPHI(root=out_dir)
    for index in range(n_patients):
        patient = _make_patient(index, rng, people)
        planter = _Planter(rng=rng, patient=patient, people=people, phi=phi)
        folder = f"{patient.person.cn}_{patient.mrn}"
        for number, spec in enumerate(_object_specs(index), start=1):
            study = spec.visit
            relative = (
                f"{folder}/{patient.visit_dates[study]}_{spec.modality}/"
                f"{patient.person.family_py}{patient.person.given_py}_{number:03d}.dcm"
            )
            planter.file = relative
            meta, ds = _build_object(planter=planter, spec=spec, seed=seed, study=study, series=number, instance=1)
            _write(out_dir / relative, meta, ds)
            phi.files.append(relative)
            for value, kind in (
                (patient.person.cn, "patient-name"),
                (patient.mrn, "identifier"),
                (f"{patient.person.family_py}{patient.person.given_py}", "patient-name"),
                (patient.visit_dates[study], "date"),
            ):
                phi.plants.append(Plant(value, kind, "<path>", relative, relative, "path", value.encode("utf-8"), True))
    return phi


def _ct_phantom(rng: random.Random, rows: int, cols: int) -> bytes:
    """One slice of a body-like phantom: air outside an ellipse of soft tissue, with noise.

    Stored values with Rescale Intercept -1024: air 24, soft tissue about 1064.
    """
    noise = [rng.randrange(-20, 21) for _ in range(4096)]
    pixels = array("H", bytes(2 * rows * cols))
    cy, cx = rows / 2, cols / 2
    ry, rx = rows * 0.38, cols * 0.45
    k = 0
    for y in range(rows):
        dy = (y - cy) / ry
        for x in range(cols):
            dx = (x - cx) / rx
            inside = dx * dx + dy * dy <= 1.0
            pixels[k] = (1064 if inside else 24) + noise[k & 4095] + (20 if inside else 0)
            k += 1
    return pixels.tobytes()


def generate_ct_series(
    out_dir: Path, *, slices: int = 400, rows: int = 512, cols: int = 512, seed: int = 400
) -> list[Path]:
    """Write a CT series of ``slices`` 16-bit MONOCHROME2 slices, explicit VR little endian.

    A realistic CT Image IOD header (patient, study, series, frame of reference, image
    plane with Image Position/Orientation and Slice Location, CT Image module with
    Rescale Slope/Intercept) and about ``rows * cols * 2`` bytes of pixel data per slice:
    512 x 512 x 400 is about 210 MB, the size of a chest CT.
    """
    rng = random.Random(seed)  # noqa: S311 - seeded test data, not a secret
    base = _ct_phantom(rng, rows, cols)
    stride = 2 * cols
    out_dir.mkdir(parents=True, exist_ok=True)
    study_uid = _uid(seed, "ct-study")
    series_uid = _uid(seed, "ct-series")
    frame_uid = _uid(seed, "ct-frame")
    paths: list[Path] = []
    for number in range(1, slices + 1):
        ds = Dataset()
        ds.SpecificCharacterSet = "ISO_IR 192"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = _uid(seed, "ct-slice", number)
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = "20240117"
        ds.StudyTime = ds.SeriesTime = "091502"
        ds.AcquisitionTime = ds.ContentTime = f"0915{number % 60:02d}"
        ds.AccessionNumber = "A2024011700017"
        ds.Modality = "CT"
        ds.Manufacturer = "Huizhen Synthetic"
        ds.InstitutionName = "四川大学华西医院"
        ds.ReferringPhysicianName = "LI^JIANGUO=李^建国"
        ds.StationName = "CT-ROOM3"
        ds.StudyDescription = "胸部CT平扫 CHEST"
        ds.SeriesDescription = "Axial 1.0mm"
        ds.PatientName = "WANG^XIAODONG=王^晓东"
        ds.PatientID = "ZY20240117"
        ds.PatientBirthDate = "19580317"
        ds.PatientSex = "M"
        ds.PatientAge = "065Y"
        ds.BodyPartExamined = "CHEST"
        ds.SliceThickness = "1.0"
        ds.KVP = "120"
        ds.DeviceSerialNumber = "SN-40917"
        ds.SoftwareVersions = "SYN 1.0"
        ds.PatientPosition = "HFS"
        ds.StudyInstanceUID = study_uid
        ds.SeriesInstanceUID = series_uid
        ds.StudyID = "17"
        ds.SeriesNumber = 2
        ds.AcquisitionNumber = 1
        ds.InstanceNumber = number
        z = -200.0 + number * 1.0
        ds.ImagePositionPatient = [f"{-cols * 0.35:.2f}", f"{-rows * 0.35:.2f}", f"{z:.2f}"]
        ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
        ds.FrameOfReferenceUID = frame_uid
        ds.PositionReferenceIndicator = ""
        ds.SliceLocation = f"{z:.2f}"
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows, ds.Columns = rows, cols
        ds.PixelSpacing = ["0.70", "0.70"]
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        ds.PixelRepresentation = 0
        ds.WindowCenter, ds.WindowWidth = "40", "400"
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = "-1024", "1", "HU"
        # Each slice differs (the phantom rolled by rows), without per-slice pixel loops.
        shift = (number * 7 % rows) * stride
        ds.add_new(0x7FE00010, "OW", base[shift:] + base[:shift])

        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = UID(ds.SOPInstanceUID)
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = _IMPLEMENTATION_CLASS_UID
        meta.ImplementationVersionName = "HUIZHEN_SYN"
        path = out_dir / f"WANG_XIAODONG_ZY20240117_CT_{number:04d}.dcm"
        _write(path, meta, ds)
        paths.append(path)
    return paths


def pack_tag(tag: int) -> bytes:
    """A tag as it appears in little endian files, for byte-level tests: (group, element)."""
    return struct.pack("<HH", tag >> 16, tag & 0xFFFF)


__all__: Sequence[str] = (
    "CHARSETS",
    "Leak",
    "Person",
    "Plant",
    "PlantedPHI",
    "encode_ir58",
    "generate_ct_series",
    "generate_phi_corpus",
    "pack_tag",
)
