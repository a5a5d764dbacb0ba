"""campaignkit: bookkeeping for Wikimedia campaigns."""

__version__ = "0.1.0"
