"""Inputs that try to break out of a template parameter, for any test to reuse.

Each entry is something an organizer or participant could type into a form
field. Stored through the codec, every one must read back as
:attr:`HostileInput.expected` and add no template, link, category, external
link, signature, heading, list, table, behaviour switch or tag to the page.
Entries with a line break are only valid for multi-line fields; single-line
fields must refuse them.

``REJECTED_INPUTS`` hold characters no wiki page can store; the codec refuses
them instead of letting MediaWiki turn them into U+FFFD.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class HostileInput:
    """One hostile value and why it is in the corpus."""

    id: str
    value: str
    why: str = ""

    @property
    def multiline(self) -> bool:
        """Whether only a multi-line field can take it."""
        return "\n" in self.value or "\r" in self.value

    @property
    def expected(self) -> str:
        """What must read back: the value NFC-normalized, ``\\r\\n`` as ``\\n``."""
        text = self.value.replace("\r\n", "\n").replace("\r", "\n")
        return unicodedata.normalize("NFC", text)


HOSTILE_INPUTS: tuple[HostileInput, ...] = (
    HostileInput("pipe", "|", "starts a new parameter"),
    HostileInput("pipes-named", "a|name=Evil|b", "overrides another parameter"),
    HostileInput("close-braces", "}}", "closes the call"),
    HostileInput("close-and-open", "x}}{{Evil|1=2", "closes the call and opens another"),
    HostileInput("subst", "{{subst:Evil}}", "substituted on save"),
    HostileInput("safesubst-invoke", "{{safesubst:#invoke:Evil|run}}", "Lua call"),
    HostileInput("parser-function", "{{#if:1|yes|no}}", "parser function"),
    HostileInput("template-argument", "{{{1}}}", "triple-brace argument"),
    HostileInput("magic-word", "{{PAGENAME}} {{DEFAULTSORT:Zzz}}", "magic words"),
    HostileInput("pipe-magic-word", "{{!}}", "pipe magic word"),
    HostileInput("category", "[[Category:Spam]]", "adds a category"),
    HostileInput("category-sortkey", "[[Category:Spam|*]]", "category with a sort key"),
    HostileInput("category-link", "[[:Category:X]]", "link to a category"),
    HostileInput("file", "[[File:X.jpg|thumb]]", "embeds a file"),
    HostileInput("interwiki", "[[m:Spam]] [[en:Spam]]", "interwiki and language links"),
    HostileInput("signature-4", "~~~~", "signature and date"),
    HostileInput("signature-5", "~~~~~", "date only"),
    HostileInput("signature-3", "~~~", "signature"),
    HostileInput("tildes-6", "~~~~~~", "two signatures"),
    HostileInput("ref", "<ref>cite</ref>", "reference tag"),
    HostileInput("comment-open", "<!-- hidden", "unclosed comment hides the rest"),
    HostileInput("comment-close", "-->", "comment end"),
    HostileInput("nowiki", "<nowiki>x</nowiki>", "nowiki tag"),
    HostileInput("nowiki-unclosed", "<nowiki>", "unclosed nowiki"),
    HostileInput("pre", "<pre>x</pre>", "pre tag"),
    HostileInput("gallery", "<gallery>\nX.jpg\n</gallery>", "extension tag"),
    HostileInput("templatestyles", '<templatestyles src="X/styles.css" />', "style tag"),
    HostileInput("script", "<script>alert(1)</script>", "HTML script"),
    HostileInput("event-handler", "<span onmouseover=alert(1)>x</span>", "HTML attribute"),
    HostileInput("br", "a<br>b<br/>", "line break tags"),
    HostileInput("quotes", '" title="x" onclick=\'y\'', "breaks out of an attribute"),
    HostileInput("noindex", "__NOINDEX__", "behaviour switch"),
    HostileInput("notoc-triple", "___NOTOC___", "underscore runs"),
    HostileInput("equals", "=", "makes a positional value named"),
    HostileInput("equals-inside", "a=b", "named parameter"),
    HostileInput("heading-inline", "==Heading==", "heading at the value's start"),
    HostileInput("heading-line", "intro\n==Heading==\nmore", "heading on its own line"),
    HostileInput("newline", "line one\nline two", "line break"),
    HostileInput("crlf", "line one\r\nline two\rline three", "Windows and old Mac breaks"),
    HostileInput("blank-line", "paragraph\n\nparagraph", "new paragraph"),
    HostileInput("blank-lines", "\n\na\n\n\n", "leading and trailing blank lines"),
    HostileInput("table", "{|\n| cell || cell\n|-\n! head\n|}", "wiki table"),
    HostileInput("table-cell-marks", "x\n|-\n| y\n!z", "table rows inside a cell"),
    HostileInput("line-starts", "* list\n# numbered\n: indent\n; term : def", "lists"),
    HostileInput("preformatted", "a\n pre\n\tTab", "leading space and tab"),
    HostileInput("rule", "----", "horizontal rule"),
    HostileInput("rule-line", "x\n-----", "horizontal rule on a line"),
    HostileInput("redirect", "#REDIRECT [[X]]", "redirect"),
    HostileInput("bold-italic", "'''bold''' ''italic'' '", "quote markup"),
    HostileInput("apostrophe-edges", "'quoted'", "apostrophes at the ends"),
    HostileInput("language-converter", "-{ zh-hans:x; zh-hant:y }-", "language converter"),
    HostileInput("amp-entity", "&amp;", "a literal entity"),
    HostileInput("numeric-entity", "&#124; &#x7C; &lt;b&gt;", "literal character references"),
    HostileInput("ampersand", "Tom & Jerry; ok", "bare ampersand and semicolon"),
    HostileInput("external-bracket", "[https://evil.example x]", "external link"),
    HostileInput("external-bare", "https://evil.example/path", "free external link"),
    HostileInput("protocol-relative", "[//evil.example x]", "protocol-relative link"),
    HostileInput("mailto", "mailto:evil@example.org", "scheme without slashes"),
    HostileInput("tel-after-word", "Hotel: tel:+2348000000", "scheme after a word"),
    HostileInput("tel-after-underscores", "__NOTOC__tel:{{", "scheme after an escaped _"),
    HostileInput("isbn", "ISBN 978-3-16-148410-0", "magic link"),
    HostileInput("rfc-pmid", "RFC 1234 PMID 12345", "magic links"),
    HostileInput("isbn-nbsp", "ISBN\u00a0978-3-16-148410-0", "magic link with NBSP"),
    HostileInput("rtl-override", "abc\u202edef}}", "right-to-left override"),
    HostileInput("bidi-isolates", "\u2067x\u2069\u200e\u200f\u061c", "bidi isolates and marks"),
    HostileInput("zero-width", "👨\u200d👩\u200d👧 می\u200cخواهم a\u200bb", "ZWJ, ZWNJ, ZWSP"),
    HostileInput("bom", "\ufeffstart", "byte order mark"),
    HostileInput("line-separator", "a\u2028b\u2029c", "Unicode line separators"),
    HostileInput("arabic", "مرحبا [[x]] ١٢٣", "right-to-left text with markup"),
    HostileInput("nfd", "Cafe\u0301 e\u0323\u0301", "decomposed text, read back as NFC"),
    HostileInput("leading-mark", "\u0338x", "combining mark that would compose with ="),
    HostileInput("yoruba", "Ìpàdé Ẹ̀kọ́ ní Èkó", "combining marks that NFC keeps"),
    HostileInput("spaces", "  padded  ", "whitespace MediaWiki trims"),
    HostileInput("tab-edges", "\tx\t", "tabs MediaWiki trims"),
    HostileInput("nbsp-edges", "\u00a0x\u00a0", "non-breaking spaces, kept"),
    HostileInput("only-space", " ", "a single space"),
    HostileInput("french-spacing", "a ! b « c » d ?", "French spacing"),
    HostileInput("math", "<math>x</math>", "math tag"),
    HostileInput("noinclude", "<noinclude>x</noinclude><includeonly>y", "transclusion tags"),
    HostileInput("long", "x}}{{Evil|1=2 " * 400, "a long value (5,600 characters)"),
    HostileInput("emoji-astral", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎉 𠜎", "characters outside the BMP"),
)

REJECTED_INPUTS: tuple[HostileInput, ...] = (
    HostileInput("nul", "a\x00b", "NUL"),
    HostileInput("escape", "a\x1b[31mb", "terminal escape"),
    HostileInput("vertical-tab", "a\x0bb", "C0 control"),
    HostileInput("delete", "a\x7fb", "DEL"),
    HostileInput("c1", "a\x85b", "C1 control (NEL)"),
    HostileInput("noncharacter", "a\ufffeb", "noncharacter"),
    HostileInput("surrogate", "a\ud800b", "lone surrogate"),
)

URL_INPUTS: tuple[HostileInput, ...] = (
    HostileInput("plain", "https://meet.example.org/lagos", "an ordinary link"),
    HostileInput("query", "https://meet.example.org/j?id=1&pwd=a;b", "query string"),
    HostileInput("quote", "https://meet.example.org/it's", "apostrophe"),
    HostileInput("pipe-braces", "https://x.example/a|b}}{{Evil|1=2", "breaks out of the call"),
    HostileInput("brackets", "https://x.example/a]]evil[[b", "closes the link"),
    HostileInput("tildes", "https://x.example/~~~~/__NOTOC__", "signature and switch"),
    HostileInput("nested-url", "https://x.example/r?u=https://evil.example", "second URL"),
    HostileInput("comment", "https://x.example/<!--x-->", "comment"),
)
