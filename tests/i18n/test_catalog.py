"""The Simplified Chinese catalog covers every string the UI can show.

Strings are extracted in pure Python (no GNU gettext needed), from the templates and
Python modules of every app under ``src/huizhen``.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib

from huizhen.i18n import ZH_HANS_CATALOG, Message, extract_messages, template_messages, untranslated

PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d")


def test_every_user_visible_string_has_a_chinese_translation() -> None:
    missing = untranslated(extract_messages())
    report = "\n".join(f"  {m.where}: {m.msgid!r}" for m in missing)
    assert not missing, (
        f"{len(missing)} string(s) lack a zh-Hans translation; run "
        f"`uv run python -m huizhen.i18n update` and translate them in {ZH_HANS_CATALOG}:\n{report}"
    )


def test_translations_keep_every_placeholder_of_the_original() -> None:
    broken = [
        entry.msgid
        for entry in polib.pofile(str(ZH_HANS_CATALOG))
        if entry.msgstr and sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(entry.msgstr))
    ]
    assert broken == []


def test_a_new_untranslated_string_in_any_app_is_reported(tmp_path: Path) -> None:
    templates = tmp_path / "apps" / "cases" / "templates" / "cases"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text(
        '{% load i18n %}<h1>{% translate "Sign in" %}</h1>'
        '<p>{% translate "Pathology slides received" %}</p>'
        "{% blocktranslate trimmed with n=count %}\n  {{ n }} images\n  awaiting review{% endblocktranslate %}",
        encoding="utf-8",
    )
    (tmp_path / "apps" / "cases" / "views.py").write_text(
        "from django.utils.translation import gettext_lazy as _, pgettext\n"
        "TITLE = _('Second opinion requested')\n"
        "STATUS = pgettext('consult status', 'Open')\n",
        encoding="utf-8",
    )

    missing = {(m.context, m.msgid) for m in untranslated(extract_messages(tmp_path))}

    assert missing == {
        ("", "Pathology slides received"),
        ("", "%(n)s images awaiting review"),
        ("", "Second opinion requested"),
        ("consult status", "Open"),
    }


def test_blocktranslate_plurals_and_literal_percent_signs_are_extracted_like_makemessages(tmp_path: Path) -> None:
    template = tmp_path / "t.html"
    template.write_text(
        "{% blocktranslate count counter=n %}{{ counter }} peer at 100%{% plural %}"
        "{{ counter }} peers at 100%{% endblocktranslate %}",
        encoding="utf-8",
    )
    (message,) = template_messages(template, tmp_path)
    assert message == Message(
        msgid="%(counter)s peer at 100%%", plural="%(counter)s peers at 100%%", where=message.where
    )
