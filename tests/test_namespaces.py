"""Namespace rules by number (issue 14): a siteinfo answer as the Yoruba wiki gives it."""

from __future__ import annotations

import pytest

from campaignkit.wiki.namespaces import SiteNamespaces

YORUBA_SITEINFO = {
    "query": {
        "namespaces": {
            "-1": {"id": -1, "name": "Pàtàkì", "canonical": "Special"},
            "0": {"id": 0, "name": "", "content": True},
            "1": {"id": 1, "name": "Ọ̀rọ̀", "canonical": "Talk"},
            "2": {"id": 2, "name": "Oníṣe", "canonical": "User"},
            "4": {"id": 4, "name": "Wikipedia", "canonical": "Project"},
            "6": {"id": 6, "name": "Fáìlì", "canonical": "File"},
            "10": {"id": 10, "name": "Àdàkọ", "canonical": "Template"},
            "14": {"id": 14, "name": "Ẹ̀ka", "canonical": "Category"},
            "100": {"id": 100, "name": "Èbúté", "canonical": "Portal", "content": True},
        },
        "namespacealiases": [{"id": 6, "alias": "Image"}, {"id": 6, "alias": "Àwòrán"}],
        "interwikimap": [{"prefix": "en"}, {"prefix": "meta"}, {"prefix": "wikipedia"}],
    }
}


@pytest.fixture
def yoruba() -> SiteNamespaces:
    return SiteNamespaces.from_siteinfo(YORUBA_SITEINFO)


@pytest.mark.parametrize(
    ("title", "number"),
    [
        ("Àdàkọ:X", 10),
        ("àdàkọ:X", 10),
        ("Template:X", 10),
        ("Àwòrán:X", 6),
        ("image : X", 6),
        ("Ẹ̀ka:X", 14),
        ("Ọ̀rọ̀_oníṣe:X", 0),  # not a namespace of this siteinfo: an ordinary title
        ("Lagos: the city", 0),
        ("Wikipedia:Ìpolongo", 4),  # a namespace name wins over the interwiki prefix
        (":Àdàkọ:X", 10),
    ],
)
def test_namespace_by_number(yoruba, title, number):
    assert yoruba.namespace_of(title) == number


@pytest.mark.parametrize(
    ("title", "allowed"),
    [
        ("Ìpolongo Èkó", True),
        ("Wikipedia:Ìpolongo Èkó", True),  # project namespace
        ("Èbúté:Ìpolongo", True),  # a content namespace of this wiki
        ("Àdàkọ:X", False),
        ("Oníṣe:Ada", False),
        ("Pàtàkì:Random", False),
        ("en:Evil", False),  # a language link, not a page
        ("Meta:Evil", False),
    ],
)
def test_new_pages_only_in_content_and_project_namespaces(yoruba, title, allowed):
    assert (yoruba.new_page_problem(title) == "") is allowed
