"""Uploads on a local wiki, so that it can stand in for Wikimedia Commons.

Metrics count the files participants upload to the file wiki (Commons in
production). The local wikis are installed with uploads off; this turns them on
for one wiki (the hub, by default, as ``campaignkit devwiki up`` configures it)
with a small settings file of its own, included from ``LocalSettings.php``
after campaignkit's settings, so the installer's and ``up``'s settings are left
as they are. Files land in the wiki's own directory (``images/``); nothing
serves them, since the API is all that campaignkit reads.
"""

from __future__ import annotations

from campaignkit.devwiki.layout import LocalWiki

UPLOADS_FILE = "campaignkit-uploads.php"
INCLUDE_LINE = f'require_once __DIR__ . "/{UPLOADS_FILE}";'
SETTINGS = """<?php
# Written by campaignkit (campaignkit/devwiki/uploads.py): this wiki takes uploads,
# as Wikimedia Commons does. Included from LocalSettings.php after campaignkit's settings.
$wgEnableUploads = true;
$wgUploadDirectory = "{images}";
$wgUploadPath = "/images";
$wgFileExtensions = [ 'png', 'gif', 'jpg', 'jpeg', 'webp' ];
$wgUseImageMagick = false;
$wgGenerateThumbnailOnParse = false;
$wgGroupPermissions['user']['upload'] = true;
$wgGroupPermissions['user']['reupload'] = true;
"""


def enable_uploads(wiki: LocalWiki) -> None:
    """Let the wiki take uploads (idempotent; takes effect on the next request)."""
    images = wiki.directory / "images"
    images.mkdir(parents=True, exist_ok=True)
    (wiki.directory / UPLOADS_FILE).write_text(
        SETTINGS.replace("{images}", str(images)), encoding="utf-8"
    )
    current = wiki.settings_file.read_text(encoding="utf-8")
    if INCLUDE_LINE not in current:
        with wiki.settings_file.open("a", encoding="utf-8") as settings:
            settings.write("\n" + INCLUDE_LINE + "\n")


def uploads_enabled(wiki: LocalWiki) -> bool:
    """Whether :func:`enable_uploads` has been run on this wiki."""
    return (wiki.directory / UPLOADS_FILE).is_file() and INCLUDE_LINE in (
        wiki.settings_file.read_text(encoding="utf-8")
    )
