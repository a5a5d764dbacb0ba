"""The campaignkit command: checks against the real local wikis, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomli_w

pytestmark = pytest.mark.wiki


def campaignkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("CAMPAIGNKIT_", "PYWIKIBOT"))
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "campaignkit", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def local_config(tmp_path: Path, settings, **bot_overrides) -> Path:
    """A config file for the test wikis with its own state (no shared login cookies)."""
    document = {
        "hub": settings.hub_id,
        "wikis": {w.id: {"api": w.api_url, "lang": w.lang} for w in settings.wikis.values()},
        "bot": {
            "username": settings.bot.username,
            "password_file": "bot-password",
            "write_throttle": 0,
            "max_retries": 1,
            "retry_wait": 0.2,
            **bot_overrides,
        },
        "services": {"state_dir": "state"},
    }
    path = tmp_path / "campaignkit.toml"
    path.write_text(tomli_w.dumps(document))
    return path


def private_password(tmp_path: Path, value: str) -> None:
    secret = tmp_path / "bot-password"
    secret.write_text(value)
    os.chmod(secret, 0o600)


def test_wikis_shows_both_answering_logged_in_with_bot_flag(tmp_path, settings):
    private_password(tmp_path, settings.bot.password())
    result = campaignkit("--config", str(local_config(tmp_path, settings)), "wikis")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "answers" in line]
    assert len(lines) == 2
    for wiki_id in ("metawiki (hub)", "yowiki"):
        line = next(line for line in lines if line.startswith(wiki_id))
        assert "logged in as CampaignBot" in line
        assert "bot" in line.split("groups:")[1]
    assert "API requests: metawiki=" in result.stdout


def test_wrong_password_is_one_line_naming_the_wiki(tmp_path, settings):
    private_password(tmp_path, "not-the-right-password-at-all")
    result = campaignkit("--config", str(local_config(tmp_path, settings)), "wikis")
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert len(failed) == 2
    assert "metawiki: login as CampaignBot@campaignkit refused" in failed[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.strip().splitlines()[-1] == "Error: 2 wiki(s) failed the check"


def test_unreachable_wiki_is_one_line_naming_the_url(tmp_path, settings):
    private_password(tmp_path, settings.bot.password())
    path = local_config(tmp_path, settings)
    text = path.read_text().replace(settings.wiki("yowiki").api_url, "http://127.0.0.1:9/api.php")
    path.write_text(text)
    result = campaignkit("--config", str(path), "wikis")
    assert result.returncode == 1
    failed = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert failed == [line for line in failed if line.startswith("yowiki")]
    assert "yowiki: http://127.0.0.1:9/api.php does not answer" in failed[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert any(
        line.startswith("metawiki (hub)") and "answers" in line
        for line in result.stdout.splitlines()
    )


def test_missing_key_is_one_line_naming_key_and_file(tmp_path, settings):
    path = local_config(tmp_path, settings)
    path.write_text(path.read_text().replace('username = "CampaignBot@campaignkit"\n', ""))
    result = campaignkit("--config", str(path), "wikis")
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: {path}: missing key bot.username"


def test_config_from_environment_variable(tmp_path, settings):
    private_password(tmp_path, settings.bot.password())
    path = local_config(tmp_path, settings)
    result = campaignkit("wikis", env={"CAMPAIGNKIT_CONFIG": str(path)})
    assert result.returncode == 0, result.stderr
    assert f"Configuration: {path}" in result.stdout
