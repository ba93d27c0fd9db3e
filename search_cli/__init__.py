"""The ``newsdex`` command: a thin layer over ``reading/`` (reads: an ``Archive``) and ``flows/``
(writes).

Read-only subcommands (search, show, entities, stats) must never import Prefect, trafilatura or spaCy.
"""
