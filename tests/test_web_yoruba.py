"""Yoruba, the local wiki's language, is a complete interface language (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_web_units import make_settings
from webservice.i18n import Messages, autonym, direction

I18N = Path(__file__).resolve().parent.parent / "i18n"


def _messages(language: str) -> dict[str, str]:
    data = json.loads((I18N / f"{language}.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("@")}


def test_yoruba_has_every_message():
    english, yoruba = _messages("en"), _messages("yo")
    assert set(yoruba) == set(english), {
        "missing": sorted(set(english) - set(yoruba)),
        "unknown": sorted(set(yoruba) - set(english)),
    }


@pytest.mark.parametrize("language", ["yo", "ar"])
def test_translations_keep_every_parameter_and_template(language):
    english, translated = _messages("en"), _messages(language)
    for key, text in translated.items():
        assert set(re.findall(r"\$\d", text)) == set(re.findall(r"\$\d", english[key])), key
        assert ("{{Campaign}}" in text) == ("{{Campaign}}" in english[key]), key
        assert text.count("{{") == text.count("}}"), key


def test_a_page_in_yoruba(tmp_path):
    from webservice.app import create_app

    client = create_app(make_settings(tmp_path), retry_worker=False).test_client()
    page = client.get("/login", headers={"Accept-Language": "yo"}).text
    assert '<html lang="yo" dir="ltr">' in page
    assert "Wọlé pẹ̀lú àkáǹtì wiki rẹ." in page
    assert 'lang="yo" selected>Èdè Yorùbá</option>' in page
    assert direction("yo") == "ltr" and autonym("yo") == "Èdè Yorùbá"
    messages = Messages(I18N)
    assert messages.text("yo", "totals-line", 2, 5, 1) == "Ìṣẹ̀lẹ̀ 2 · Olùkópa 5 · Olóòtú tuntun 1"
