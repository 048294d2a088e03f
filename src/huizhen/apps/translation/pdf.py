"""A bilingual PDF of a translated text: the original, the translation and its provenance.

:func:`render_translation_pdf` is deliberately small and free of models, so the
opinion report (issue 4) can reuse it: it takes a title, the two texts and a
:class:`huizhen.translate.Provenance`, and labels everything in ``lang`` ("en" or
"zh-hans"). The provenance line is printed under the title, and a text no clinician
has verified carries a "NOT VERIFIED" watermark on every page (issue 6 item 5: provenance
shown in the UI and in the PDF report).

The font is Noto Sans CJK SC from the system's fonts-noto-cjk package: an OpenType
collection (.ttc) with CFF outlines, which fpdf2 reads through fontTools and subsets,
so a one-page report stays small. Without that font a PDF with Chinese text cannot be
made, and :class:`FontMissing` says which package to install.
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from huizhen.apps.translation.provenance import machine_label, needs_verification_label, provenance_line
from huizhen.translate import Provenance

#: Where distributions install Noto Sans CJK (Debian/Ubuntu first, as in CI).
FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/noto-cjk"),
    Path("/usr/share/fonts/google-noto-cjk"),
    Path("/usr/share/fonts/OTF"),
)
REGULAR_FILE = "NotoSansCJK-Regular.ttc"
BOLD_FILE = "NotoSansCJK-Bold.ttc"
#: The face inside the collection: Simplified Chinese glyph forms (the collection's JP/KR/TC
#: faces draw some shared characters differently).
FACE_NAME = "Noto Sans CJK SC"
FAMILY = "NotoSansCJK"

_MARGIN_MM = 18
#: Chinese, Japanese and Korean characters: a paragraph holding them may break between
#: any two characters, as Chinese typesetting does; others break between words only.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

# fontTools reports every subsetting step at INFO; one PDF would flood the node's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
_GREY = (110, 110, 110)


class FontMissing(RuntimeError):
    """The CJK font needed for a bilingual PDF is not installed."""


@functools.cache
def _font_file(name: str) -> Path | None:
    for directory in FONT_DIRS:
        if (directory / name).is_file():
            return directory / name
    return None


@functools.cache
def _face_index(path: Path) -> int:
    # The order of faces differs between font releases, so the SC face is found by name.
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            # Name ID 1 is the family ("Noto Sans CJK SC" in both the regular and bold files).
            if font["name"].getDebugName(1) == FACE_NAME:
                return index
    finally:
        collection.close()
    raise FontMissing(f"{path} has no '{FACE_NAME}' face; install the fonts-noto-cjk package")


def font_paths() -> tuple[Path, Path]:
    """The regular and bold font files; bold falls back to regular. Raises :class:`FontMissing`."""
    regular = _font_file(REGULAR_FILE)
    if regular is None:
        searched = ", ".join(str(directory) for directory in FONT_DIRS)
        raise FontMissing(
            f"{REGULAR_FILE} not found in {searched}: install the fonts-noto-cjk package "
            "(apt-get install fonts-noto-cjk) to render bilingual PDFs"
        )
    return regular, _font_file(BOLD_FILE) or regular


class _Document(FPDF):
    def __init__(self, *, watermark: str, footer_text: str) -> None:
        super().__init__(format="A4")
        self.watermark = watermark
        self.footer_text = footer_text

    def header(self) -> None:
        if not self.watermark:
            return
        # Spelled out at the top as well: the diagonal mark is a picture to text extractors.
        self.set_font(FAMILY, "B", 9)
        self.set_text_color(160, 40, 40)
        self.set_xy(self.l_margin, 8)
        self.cell(0, 5, self.watermark, align="R")
        self.set_xy(self.l_margin, self.t_margin)
        # Drawn first on every page, so the text is printed over it and stays readable.
        self.set_font(FAMILY, "B", 54)
        self.set_text_color(235, 200, 200)
        x, y = self.w / 2, self.h / 2
        with self.rotation(45, x, y):
            width = self.get_string_width(self.watermark)
            self.text(x - width / 2, y, self.watermark)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*_GREY)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def render_translation_pdf(
    *, title: str, source: str, translation: str, provenance: Provenance, lang: str = "en"
) -> bytes:
    """A4 PDF: title, provenance, then the original and the translation; watermarked until verified."""
    regular, bold = font_paths()
    with translation_language(lang):
        unverified = not provenance.verified_by and (provenance.method in ("machine", "human") or provenance.translator)
        labels = {
            "watermark": _("NOT VERIFIED") if unverified else "",
            "provenance": _("Provenance"),
            "original": _("Original"),
            "translation": _("Translation"),
            "line": provenance_line(provenance),
            "machine": machine_label(provenance) if needs_verification_label(provenance) else "",
            "footer": _("Huizhen · generated %(when)s") % {"when": _now_text()},
        }
    document = _Document(watermark=labels["watermark"], footer_text=labels["footer"])
    document.add_font(FAMILY, "", str(regular), collection_font_number=_face_index(regular))
    document.add_font(FAMILY, "B", str(bold), collection_font_number=_face_index(bold))
    document.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    document.set_auto_page_break(auto=True, margin=18)
    document.set_title(title)
    document.set_creator("Huizhen")
    document.set_lang("zh-Hans" if lang.lower().startswith("zh") else "en")
    document.add_page()

    document.set_font(FAMILY, "B", 16)
    document.multi_cell(0, 8, _plain(title), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(2)
    _section(document, labels["provenance"])
    document.set_font(FAMILY, "", 10)
    document.multi_cell(0, 5.5, labels["line"], align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if labels["machine"]:
        document.set_text_color(160, 40, 40)
        document.multi_cell(0, 5.5, labels["machine"], align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        document.set_text_color(0, 0, 0)
    document.ln(3)
    for heading, text in ((labels["original"], source), (labels["translation"], translation)):
        _section(document, heading)
        document.set_font(FAMILY, "", 11)
        _paragraphs(document, _plain(text) or "—")
        document.ln(4)
    return bytes(document.output())


def translation_language(lang: str) -> override:
    """The UI language whose labels the PDF uses: Chinese for any zh code, else English."""
    return override("zh-hans" if lang.lower().startswith("zh") else "en")


def _section(document: FPDF, heading: str) -> None:
    document.set_font(FAMILY, "B", 12)
    document.cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    y = document.get_y()
    document.set_draw_color(*_GREY)
    document.line(document.l_margin, y, document.w - document.r_margin, y)
    document.ln(2)


def _paragraphs(document: FPDF, text: str) -> None:
    for paragraph in text.split("\n"):
        wrap = WrapMode.CHAR if _CJK.search(paragraph) else WrapMode.WORD
        document.multi_cell(0, 6, paragraph, align=Align.L, wrapmode=wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _plain(text: str) -> str:
    # fpdf2 draws tabs and carriage returns as missing glyphs.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ").strip()


def _now_text() -> str:
    now: datetime = timezone.localtime() if timezone.is_aware(timezone.now()) else datetime.now()
    return now.strftime("%Y-%m-%d %H:%M")
