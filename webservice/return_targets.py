r"""Where to send someone back after a login, a language change or an OAuth round trip.

A ``next`` value comes from the address bar, a form or the session, so it is
attacker-controlled: a redirect to it must never leave this site (an "open
redirect" lends the tool's good name to a phishing page). Deciding "is this
local?" on the raw text is not enough, because browsers and servers rewrite a
``Location`` before following it:

- tabs and newlines are dropped anywhere in a URL (``/\t/evil.example`` is
  followed as ``//evil.example``), and leading/trailing controls and spaces
  are trimmed;
- a backslash is a slash in http(s) URLs (``/\evil.example``);
- ``//host`` is a scheme-relative link to another host; ``http:evil``,
  ``javascript:…`` and ``data:…`` are schemes;
- full-width or other compatibility characters (``／``, ``．``) fold to ASCII
  in host names.

So the target is first cleaned the way a browser would (controls removed,
backslashes as slashes) and checked in that form, its NFKC fold and its
percent-decoded form; only a plain path on this site passes, and what is
returned is that cleaned path, percent-encoded, so nothing else can rewrite
it on the way to the browser.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, unquote, urlsplit

# Characters kept unencoded in a returned path and query (RFC 3986 path/query
# characters, minus the backslash, which stays encoded).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"


def _without_controls(text: str) -> str:
    """Drop every control, format and separator character except the ordinary space.

    Browsers remove ASCII tab and newline anywhere in a URL and C0 controls or
    spaces at either end; removing all of Unicode's control (Cc), format (Cf),
    and line/paragraph separators (Zl, Zp) is a superset of that, so nothing
    invisible survives to change how a browser reads the target.
    """
    kept = (c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp", "Cs"))
    return "".join(kept).strip()


def _looks_foreign(text: str) -> bool:
    """Whether a browser could read ``text`` as a link to another site or a scheme."""
    text = text.replace("\\", "/")
    if not text.startswith("/") or text.startswith("//"):
        return True
    parts = urlsplit(text)
    return bool(parts.scheme or parts.netloc)


def local_path(target: str | None) -> str | None:
    """``target`` as a path on this site, or None when it is not one.

    The answer starts with exactly one ``/``, holds no control characters and
    no backslash, and is percent-encoded, so that a browser and every proxy in
    between read the same local path.
    """
    if not target or len(target) > 2000:
        return None
    cleaned = _without_controls(target).replace("\\", "/")
    variants = {cleaned, unicodedata.normalize("NFKC", cleaned)}
    decoded = cleaned
    for _ in range(3):  # encoded slashes, backslashes and controls, up to triple encoding
        decoded = _without_controls(unquote(decoded))
        variants |= {decoded, unicodedata.normalize("NFKC", decoded)}
    if any(_looks_foreign(variant) for variant in variants):
        return None
    parts = urlsplit(cleaned)
    path = quote(parts.path, safe=_PATH_SAFE)
    if path.startswith("//"):
        return None
    query = quote(parts.query, safe=_QUERY_SAFE)
    return f"{path}?{query}" if query else path
