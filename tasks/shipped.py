"""The data files shipped with the stages (``tasks/data/``, package data): rules, aliases, word lists, model."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_RULES = DATA_DIR / "rules.toml"
DEFAULT_ALIASES = DATA_DIR / "aliases.toml"
LINE_MODEL = DATA_DIR / "line_model.json"
