"""The English catalogue is complete and keeps every placeholder of the Japanese original."""

import re
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale, ngettext

CATALOGUE = Path(__file__).resolve().parent.parent / "translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_message_is_translated_with_the_same_placeholders():
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    for message in messages:
        # A plural message has a tuple: (singular, plural) ids and one string per English form.
        source = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {source}"
        assert not message.fuzzy, f"fuzzy: {source}"
        for string in strings:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(string)), (
                source
            )


def test_counts_read_as_english_plurals(app):
    with app.test_request_context(), force_locale("en"):
        assert ngettext("残り%(num)d席", "残り%(num)d席", 1) == "1 seat left"
        assert ngettext("残り%(num)d席", "残り%(num)d席", 3) == "3 seats left"
    with app.test_request_context(), force_locale("ja"):
        assert ngettext("残り%(num)d席", "残り%(num)d席", 1) == "残り1席"
    # Templates too, extra placeholders included.
    page = '{{ ngettext("%(taken)d / %(num)d 名", "%(taken)d / %(num)d 名", 1, taken=0) }}'
    with app.test_request_context(), force_locale("en"):
        assert render_template_string(page) == "0 / 1 person"


def test_the_catalogue_holds_every_message_the_code_and_templates_use():
    # A string added without `make messages` would show in Japanese on the English pages.
    root = CATALOGUE.parents[3]
    with (root / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    used = {
        message
        for _, _, message, _, _ in extract_from_dir(
            root,
            method_map,
            options_map,
            keywords={**DEFAULT_KEYWORDS, "_l": None},
            directory_filter=lambda path: not Path(path).name.startswith("."),
        )
    }
    with CATALOGUE.open("rb") as f:
        catalogued = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert len(used) > 500
    missing = {m if isinstance(m, str) else m[0] for m in used} - catalogued
    assert not missing, f"run `make messages` and translate: {sorted(missing)}"
