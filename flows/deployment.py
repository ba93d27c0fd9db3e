"""The scheduled ingest deployment: what it runs, with which parameters, on which schedule.

``newsdex serve`` serves it from the current process (a Prefect runner: no work pool needed); ``prefect.yaml``
declares the same deployment for ``prefect deploy`` and a process work pool. Parameters left out are read from
the settings (NEWSDEX_INPUTS, NEWSDEX_INDEX, NEWSDEX_RULES) by the flow run itself. The flow's one parameter is
``options`` (``flows/options.IngestOptions``): Prefect shows it as a form and validates a run's JSON against it.
"""

from __future__ import annotations

import sys
from typing import Any

DEPLOYMENT_NAME = "scheduled"


def deployment_parameters(inputs: list[str] | None, index: str | None, rules: str | None) -> dict[str, Any]:
    """Settings resolved now, so the deployment shows in the UI exactly what it ingests, and where to (the rest
    of the settings are read by each run, at its start)."""
    from newsdex.flows.options import IngestOptions
    from newsdex.settings import Settings
    from newsdex.tasks.clean.rules import rules_file

    settings = Settings.from_env(index=index, rules=rules)
    options = IngestOptions(
        paths=list(inputs) if inputs else list(settings.inputs),
        index=str(settings.index),
        rules=str(rules_file(settings.rules)),
    )
    return {"options": options.model_dump(mode="json", exclude_defaults=True)}


def serve_ingest(cron: str, parameters: dict[str, Any], name: str = DEPLOYMENT_NAME, ui: bool = True) -> None:
    """Serve the ingest flow on ``cron`` until interrupted, against $PREFECT_API_URL or a server started here."""
    from newsdex.flows.server import prefect_server

    with prefect_server(ui=ui) as api_url:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            from newsdex.flows.ingest import ingest_flow

            ui_url = api_url.removesuffix("/api")
            sys.stderr.write(
                f"newsdex serve: deployment ingest/{name} on {cron!r}; Prefect API {api_url}"
                f" (UI {ui_url}); Ctrl-C stops\n"
            )
            ingest_flow.serve(name=name, cron=cron, parameters=parameters, print_starting_message=False)
