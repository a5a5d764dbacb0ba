"""Make sure Debian's MediaWiki and PHP are installed before the local wikis start."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable

from campaignkit.devwiki.layout import MEDIAWIKI_ROOT

DEBIAN_PACKAGES = (
    "mediawiki",
    "php-cli",
    "php-sqlite3",
    "php-intl",
    "php-mbstring",
    "php-xml",
    "php-curl",
    "lua5.1",
    "php-mysql",
)


class DevWikiError(Exception):
    """The local wikis cannot be installed, started or stopped; the message says why."""


def missing_requirements(database: str = "sqlite") -> list[str]:
    """Name what is missing: the MediaWiki tree, php and its drivers, the Lua interpreter."""
    missing = []
    if not (MEDIAWIKI_ROOT / "maintenance" / "install.php").is_file():
        missing.append("mediawiki")
    if shutil.which("php") is None:
        missing.append("php-cli")
    if shutil.which("lua5.1") is None:
        missing.append("lua5.1")
    if shutil.which("php") is not None:
        loaded = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
        modules = [
            ("pdo_sqlite", "php-sqlite3"),
            ("intl", "php-intl"),
            ("mbstring", "php-mbstring"),
            ("xml", "php-xml"),
        ]
        if database == "mysql":
            modules.append(("mysqli", "php-mysql"))
        for module, package in modules:
            if module not in loaded.split():
                missing.append(package)
    return missing


def ensure_installed(echo: Callable[[str], None] = print, database: str = "sqlite") -> None:
    """Install the Debian packages with apt-get when root, else say what to run."""
    if not missing_requirements(database):
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *DEBIAN_PACKAGES]
    if os.geteuid() != 0:
        raise DevWikiError(
            "MediaWiki is not installed; run: sudo apt-get install -y --no-install-recommends "
            + " ".join(DEBIAN_PACKAGES)
        )
    echo("Installing Debian packages: " + " ".join(DEBIAN_PACKAGES))
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or missing_requirements(database):
        raise DevWikiError(
            "apt-get could not install MediaWiki: "
            + (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        )
