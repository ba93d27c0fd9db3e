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

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsdex")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
