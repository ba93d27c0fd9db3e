"""Pipeline stages: one module per stage, plain functions over the models in ``tasks.models``.

Nothing here imports Prefect at import time; each stage's Prefect task is built on first use
(see ``tasks.prefect_wrap``) so that read-only commands stay fast.
"""
