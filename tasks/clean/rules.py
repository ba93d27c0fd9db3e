"""The cleaning rules: a TOML file parsed into a ``Rules`` model with compiled matchers and a content version.

The file format is documented inline in ``tasks/data/rules.toml`` and in ``docs/cleaning.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from newsdex.tasks.clean.matcher import LineMatcher
from newsdex.tasks.clean.safe_regex import AnyOf, Pattern, compile_rule
from newsdex.tasks.clean.structure_keys import check_structure
from newsdex.tasks.shipped import DEFAULT_RULES

Action = Literal["remove", "caption", "meta"]
Zone = Literal["any", "header", "footer"]

_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """Lower case, punctuation and spacing folded: the form ``lines``/``prefixes`` matchers compare."""
    return _NON_WORD.sub(" ", text.lower()).strip()


class LineRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    action: Action = "remove"
    lines: list[str] = Field(default_factory=list)
    prefixes: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    zone: Zone = "any"
    max_words: int | None = None
    case_sensitive: bool = False

    _line_set: frozenset[str] = PrivateAttr(default=frozenset())
    _prefixes: tuple[str, ...] = PrivateAttr(default=())
    _pattern: Pattern | AnyOf | None = PrivateAttr(default=None)

    @field_validator("name")
    @classmethod
    def _readable_name(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", v):
            raise ValueError(f"rule name {v!r} must be lower-case words joined by '-'")
        return v

    def model_post_init(self, __context: Any) -> None:
        self._line_set = frozenset(normalise(x) for x in self.lines)
        self._prefixes = tuple(normalise(x) + " " for x in self.prefixes)
        if self.regex:
            flags = 0 if self.case_sensitive else re.IGNORECASE
            try:  # RE2 (linear time), or re where it cannot blow up: a rules file never hangs cleaning
                self._pattern = AnyOf([compile_rule(rx, flags) for rx in self.regex])
            except ValueError as exc:
                raise ValueError(f"rule {self.name!r}: {exc}") from None

    def matches(self, text: str, norm: str, words: int) -> bool:
        if self.max_words is not None and words > self.max_words:
            return False
        if norm in self._line_set:
            return True
        if self._prefixes and (norm + " ").startswith(self._prefixes):
            return True
        return bool(self._pattern and self._pattern.search(text))


class HtmlDrop(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    selectors: list[str]


class HtmlRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    drop: list[HtmlDrop] = Field(default_factory=list)


class SiteRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disable: list[str] = Field(default_factory=list)
    line: list[LineRule] = Field(default_factory=list)
    thresholds: dict[str, float] = Field(default_factory=dict)

    @field_validator("thresholds")
    @classmethod
    def _known_thresholds(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(Thresholds.model_fields))
        if unknown:
            raise ValueError(f"unknown key {unknown[0]!r}")
        return v


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dense_min_words: int = 12
    heading_max_words: int = 16
    title_min_words: int = 3
    title_max_words: int = 40
    model_threshold: float = 0.5
    model_threshold_in_block: float = 0.3
    model_threshold_outside_region: float = 0.95
    region_score: float = 0.5
    junk_min_length: int = 6
    junk_max_distinct_letters: int = 3
    html_fallback_min_words: int = 40
    html_rescue_max_share: float = 0.3
    html_rescue_min_gain: float = 2.0
    html_choice: Literal["evidence", "rescue", "trafilatura", "readability"] = "evidence"
    choice_min_gain: float = 1.3
    choice_min_extra_dense: float = 0.3
    choice_max_link_density: float = 0.5
    choice_min_agreement: float = 0.0
    choice_max_trim: float = 0.0
    choice_min_extra_model: float = 0.0


class Zones(BaseModel):
    model_config = ConfigDict(extra="forbid")
    header_max_lines: int = 40


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    zones: Zones = Field(default_factory=Zones)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    line: list[LineRule] = Field(default_factory=list)
    structure: dict[str, dict[str, Any]] = Field(default_factory=dict)
    html: HtmlRules = Field(default_factory=HtmlRules)
    sites: dict[str, SiteRules] = Field(default_factory=dict)
    version: str = ""
    path: str | None = None

    _matchers: dict[int | None, Any] = PrivateAttr(default_factory=dict)

    @field_validator("structure")
    @classmethod
    def _known_structure(cls, v: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        check_structure(v)
        return v

    def site(self, domain: str | None) -> SiteRules | None:
        """Overrides for a domain or any parent domain ("news.example.com" → "example.com")."""
        if not domain or not self.sites:
            return None
        host = domain.lower().removeprefix("www.")
        while host:
            if host in self.sites:
                return self.sites[host]
            if "." not in host:
                return None
            host = host.split(".", 1)[1]
        return None

    def line_rules_for(self, domain: str | None) -> list[LineRule]:
        site = self.site(domain)
        if site is None:
            return self.line
        disabled = set(site.disable)
        return [r for r in site.line + self.line if r.name not in disabled]

    def matcher(self, domain: str | None) -> LineMatcher:
        """Compiled line rules for a domain (cached: the per-site part is small)."""
        site = self.site(domain)
        key = id(site) if site is not None else None
        cache = self._matchers
        if key not in cache:
            cache[key] = LineMatcher(self.line_rules_for(domain))
        return cache[key]

    def structure_option(self, rule: str, key: str, default: Any) -> Any:
        return self.structure.get(rule, {}).get(key, default)

    def rule_enabled(self, name: str, domain: str | None) -> bool:
        site = self.site(domain)
        return site is None or name not in site.disable

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled (every batch job carries its rules to a worker) without the compiled matchers, and unpickled
        as the process's one copy of this file's rules: a worker compiles them once, not once per batch, and
        the flow's own process gets back the object it sent (a round trip cost ~1 s of recompiling)."""
        key = (self.version, self.path)
        _SENT.setdefault(key, self)
        return _received, (key, self.model_dump())


# Rules by (version, path) that this process pickled or unpickled: see ``Rules.__reduce__``.
_SENT: dict[tuple[str, str | None], Rules] = {}


def _received(key: tuple[str, str | None], data: dict[str, Any]) -> Rules:
    if key not in _SENT:
        _SENT[key] = Rules.model_validate(data)
    return _SENT[key]


def rules_version(data: dict[str, Any]) -> str:
    """Hash of the parsed content: comments and layout do not change it, any rule does."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def parse_rules(text: str, origin: str = "<rules>") -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{origin}: not valid TOML: {exc}") from None
    if not data:  # a typo'd path or a truncated file would otherwise keep every line, silently
        raise ValueError(f"{origin}: empty rules file: no [[line]] rules, thresholds or any other key")
    for key in ("version", "path"):  # set by the loader, never read from the file
        if key in data:
            raise ValueError(f"{origin}: unknown key {key!r}")
    try:
        rules = Rules.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        if first.get("type") == "extra_forbidden":
            raise ValueError(f"{origin}: unknown key {where!r}") from None
        msg = str(first.get("msg", "")).removeprefix("Value error, ")
        if inner := re.fullmatch(r"unknown key '(.+)'", msg):  # a validator's key, below ``where``
            raise ValueError(f"{origin}: unknown key '{where}.{inner[1]}'") from None
        raise ValueError(f"{origin}: bad rules file at {where or 'top level'}: {msg}") from None
    rules.version = rules_version(data)
    rules.path = origin
    return rules


_CACHE: dict[tuple[str, int, int], Rules] = {}


def rules_file(path: str | Path | None = None) -> Path:
    """The rules file ``load_rules(path)`` reads: ``path``, else the packaged one (``Settings.rules`` is the
    file a run was asked for: option, then $NEWSDEX_RULES)."""
    return Path(path) if path else DEFAULT_RULES


def load_rules(path: str | Path | None = None) -> Rules:
    """Load (and cache per path and modification time) the rules file; ``None`` means the packaged one."""
    p = rules_file(path)
    try:
        st = p.stat()
        key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
        if key in _CACHE:
            return _CACHE[key]
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read rules file {p}: {exc.__class__.__name__}") from None
    rules = parse_rules(text, str(p))
    _CACHE[key] = rules
    return rules
