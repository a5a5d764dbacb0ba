"""Tests play people through the local-account session the demo uses too."""

from campaignkit.devwiki.local_user import HumanEditor

__all__ = ["HumanEditor"]
