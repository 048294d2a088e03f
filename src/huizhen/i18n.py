"""Build and check the UI's message catalogs without GNU gettext.

``python -m huizhen.i18n compile`` turns every ``locale/*/LC_MESSAGES/*.po`` under the
package into ``.mo`` with polib, writing to a temporary name and renaming, so a fresh
machine with only Python needs no gettext tools. Compiled catalogs are build products
and are not committed.

``python -m huizhen.i18n check`` lists user-visible strings that the Simplified Chinese
catalog lacks (or has empty or fuzzy), and ``python -m huizhen.i18n update`` adds them
as empty entries for a translator. Strings are found the way ``makemessages`` finds
them, in pure Python: ``{% translate %}``/``{% trans %}``/``{% blocktranslate %}`` in
templates (read with Django's template lexer) and ``gettext``-family calls in Python
modules (read with :mod:`ast`); migrations are skipped.
"""

from __future__ import annotations

import ast
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent
ZH_HANS_CATALOG = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

_SINGULAR_FUNCS = {"gettext", "gettext_lazy", "_", "gettext_noop", "ugettext", "ugettext_lazy"}
_CONTEXT_FUNCS = {"pgettext", "pgettext_lazy"}
_PLURAL_FUNCS = {"ngettext", "ngettext_lazy"}
_CONTEXT_PLURAL_FUNCS = {"npgettext", "npgettext_lazy"}
_TEMPLATE_GETTEXT = re.compile(r"""_\(\s*(?:"([^"]*)"|'([^']*)')\s*\)""")
_VARIABLE = re.compile(r"^\s*([\w.]+)")


@dataclass(frozen=True, order=True)
class Message:
    """One translatable string; ``where`` is the first place it was found."""

    msgid: str
    context: str = ""
    plural: str = ""
    where: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.context, self.msgid)


def catalogs(root: Path = PACKAGE_DIR) -> list[Path]:
    return sorted(root.glob("**/locale/*/LC_MESSAGES/*.po"))


def compile_catalogs(root: Path = PACKAGE_DIR) -> list[Path]:
    written: list[Path] = []
    for po_path in catalogs(root):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        tmp = mo_path.with_suffix(".mo.tmp")
        polib.pofile(str(po_path)).save_as_mofile(str(tmp))
        os.replace(tmp, mo_path)
        written.append(mo_path)
    return written


def _unquote(token: str) -> str | None:
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'":
        return token[1:-1]
    return None


def _source_files(root: Path, suffix: str) -> Iterable[Path]:
    for path in sorted(root.rglob(f"*{suffix}")):
        if "migrations" in path.parts or "__pycache__" in path.parts:
            continue
        yield path


def python_messages(path: Path, root: Path = PACKAGE_DIR) -> list[Message]:
    """Literal arguments of gettext-family calls in one Python module."""
    where = str(path.relative_to(root))
    found: list[Message] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        line = f"{where}:{node.lineno}"
        if name in _SINGULAR_FUNCS and args and args[0] is not None:
            found.append(Message(msgid=args[0], where=line))
        elif name in _CONTEXT_FUNCS and len(args) >= 2 and args[0] is not None and args[1] is not None:
            found.append(Message(msgid=args[1], context=args[0], where=line))
        elif name in _PLURAL_FUNCS and len(args) >= 2 and args[0] is not None and args[1] is not None:
            found.append(Message(msgid=args[0], plural=args[1], where=line))
        elif name in _CONTEXT_PLURAL_FUNCS and len(args) >= 3 and None not in args[:3]:
            found.append(Message(msgid=str(args[1]), plural=str(args[2]), context=str(args[0]), where=line))
    return found


def _option(bits: list[str], name: str) -> str:
    if name in bits and bits.index(name) + 1 < len(bits):
        return _unquote(bits[bits.index(name) + 1]) or ""
    return ""


def template_messages(path: Path, root: Path = PACKAGE_DIR) -> list[Message]:
    """``translate``/``blocktranslate`` strings of one template, as ``makemessages`` would write them."""
    from django.template.base import Lexer, TokenType
    from django.utils.text import smart_split
    from django.utils.translation import trim_whitespace

    where = str(path.relative_to(root))
    found: list[Message] = []
    block: dict[str, object] | None = None
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        line = f"{where}:{token.lineno}"
        if block is not None:
            parts = block["plural_parts"] if block["in_plural"] else block["parts"]
            assert isinstance(parts, list)
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] in {
                "endblocktranslate",
                "endblocktrans",
            }:
                singular = "".join(block["parts"])  # type: ignore[arg-type]
                plural = "".join(block["plural_parts"])  # type: ignore[arg-type]
                if block["trimmed"]:
                    singular, plural = trim_whitespace(singular), trim_whitespace(plural)
                found.append(Message(msgid=singular, plural=plural, context=str(block["context"]), where=line))
                block = None
            elif token.token_type == TokenType.BLOCK and token.contents.split()[0] == "plural":
                block["in_plural"] = True
            elif token.token_type == TokenType.VAR:
                match = _VARIABLE.match(token.contents)
                parts.append(f"%({match.group(1) if match else ''})s")
            elif token.token_type == TokenType.TEXT:
                parts.append(token.contents.replace("%", "%%"))
            continue
        if token.token_type == TokenType.BLOCK:
            bits = list(smart_split(token.contents))
            if bits and bits[0] in {"translate", "trans"} and len(bits) > 1:
                msgid = _unquote(bits[1])
                if msgid is not None:
                    found.append(Message(msgid=msgid, context=_option(bits, "context"), where=line))
            elif bits and bits[0] in {"blocktranslate", "blocktrans"}:
                block = {
                    "parts": [],
                    "plural_parts": [],
                    "in_plural": False,
                    "trimmed": "trimmed" in bits,
                    "context": _option(bits, "context"),
                }
        if token.token_type in (TokenType.BLOCK, TokenType.VAR):
            for match in _TEMPLATE_GETTEXT.finditer(token.contents):
                found.append(Message(msgid=match.group(1) or match.group(2) or "", where=line))
    return found


def extract_messages(root: Path = PACKAGE_DIR) -> list[Message]:
    """Every translatable string under ``root``, first occurrence of each, sorted."""
    seen: dict[tuple[str, str], Message] = {}
    found: list[Message] = []
    for py in _source_files(root, ".py"):
        found.extend(python_messages(py, root))
    for html in _source_files(root, ".html"):
        found.extend(template_messages(html, root))
    for txt in _source_files(root, ".txt"):
        if "templates" in txt.parts:
            found.extend(template_messages(txt, root))
    for message in found:
        if message.msgid:
            seen.setdefault(message.key, message)
    return sorted(seen.values())


def _translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def untranslated(messages: Iterable[Message], catalog: Path = ZH_HANS_CATALOG) -> list[Message]:
    """The messages the catalog lacks, or has empty, fuzzy or obsolete."""
    po = polib.pofile(str(catalog)) if catalog.exists() else polib.POFile()
    done = {(e.msgctxt or "", e.msgid) for e in po if _translated(e)}
    return [m for m in messages if m.key not in done]


def add_missing(messages: Iterable[Message], catalog: Path = ZH_HANS_CATALOG) -> list[Message]:
    """Append empty entries for messages the catalog does not know at all; returns them."""
    po = polib.pofile(str(catalog))
    known = {(e.msgctxt or "", e.msgid) for e in po}
    added: list[Message] = []
    for message in messages:
        if message.key in known:
            continue
        entry = polib.POEntry(msgid=message.msgid, msgstr="", occurrences=[(message.where.rsplit(":", 1)[0], "")])
        if message.context:
            entry.msgctxt = message.context
        if message.plural:
            entry.msgid_plural = message.plural
            entry.msgstr_plural = {0: ""}
        if "%(" in message.msgid or ("%s" in message.msgid):
            entry.flags.append("python-format")
        po.append(entry)
        added.append(message)
    po.save(str(catalog))
    return added


def _django_for_templates() -> None:
    # The template lexer needs configured settings only for trim_whitespace's lazy imports.
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=True)


def main(argv: Sequence[str]) -> int:
    command = list(argv)
    if command == ["compile"]:
        for path in compile_catalogs():
            print(f"compiled {path.relative_to(PACKAGE_DIR)}")
        return 0
    if command in (["check"], ["update"]):
        _django_for_templates()
        messages = extract_messages()
        if command == ["update"]:
            for message in add_missing(messages):
                print(f"added {message.where}: {message.msgid!r}")
            return 0
        missing = untranslated(messages)
        for message in missing:
            print(f"{message.where}: {message.msgid!r} has no zh-Hans translation")
        return 1 if missing else 0
    print("usage: python -m huizhen.i18n compile|check|update", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
