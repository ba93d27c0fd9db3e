"""Train the line model (tasks/data/line_model.json) on WCXB pages of the training split.

The split is fixed by a hash of the page id: two thirds of wcxb-dev train, one third is held out; scrapinghub
is never used for training. The benchmark reports held-out figures with ``--split heldout``.
"""

from __future__ import annotations

import hashlib

TRAIN_SETS = ("wcxb-dev",)


def is_training_page(dataset: str, page_id: str) -> bool:
    if dataset not in TRAIN_SETS:
        return False
    return int(hashlib.sha1(page_id.encode()).hexdigest(), 16) % 3 != 0
