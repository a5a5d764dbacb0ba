"""The WSGI entry point: ``gunicorn webservice.wsgi:app`` (Toolforge's webservice too).

The configuration file is found as for every campaignkit command
(``$CAMPAIGNKIT_CONFIG``, ``./campaignkit.toml``, …).
"""

from __future__ import annotations

from webservice.app import create_app

app = create_app()
