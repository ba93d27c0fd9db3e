"""Pipeline stages, plain functions over the models in ``newsdex.models``: no I/O beyond reading an input file,
no Prefect, no index. In the order a document meets them: ``load`` → ``clean/`` → ``segment`` → ``enrich/``.
Their Prefect tasks are declared in ``newsdex.flows.steps``.
"""
