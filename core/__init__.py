"""newsdex: scraped news in, a clean, searchable archive out.

One import name holds the whole project; its rooms sit at the top of the repository and are mapped under it
at install time (pyproject.toml, ``[tool.setuptools.package-dir]``):

    newsdex            (core/) the ground floor: ``models`` (the data shapes) and ``settings`` (every NEWSDEX_*)
    newsdex.tasks      the pipeline stages, plain functions over the models: load, clean/, segment, enrich/
    newsdex.index      the index folder and its one owner (``index.store``): Whoosh, manifest, raw store
    newsdex.flows      Prefect flows and their tasks (``flows.steps``), composing stages and the index
    newsdex.search_cli the ``newsdex`` command
    newsdex.seeds      the five seed articles, the default corpus (package data)
"""

from __future__ import annotations


def version() -> str:
    """The installed version. Read from the package metadata when asked (``newsdex --version``), not at import:
    importlib.metadata costs ~25 ms, a fifth of a whole ``newsdex search``."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("newsdex")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"
