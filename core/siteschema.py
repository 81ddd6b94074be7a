"""The schema of site files and platform dialects: one table of field specs, checked at load.

``FIELDS`` maps each dotted field name to its ``Spec``; ``lists[]`` stands for
every entry of the ``[[lists]]`` array.  ``validate`` walks a parsed TOML table
against it and raises ``SiteConfigError("<file>: <field>: <problem>")`` for the
first problem: a wrong type, a value out of range, an empty required value or
an unknown field (with a "did you mean").  To add a field, add one row.

``check_site`` then checks what needs several fields at once: list URLs inside
``allowed_domains`` and not on private addresses, a cron expression that fires.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.charsets import page_codec

ANY = object()
"""Kind of a field whose content is not checked (placeholders for other branches' data)."""


@dataclass(frozen=True)
class Spec:
    kind: Any
    """``str``, ``int``, ``bool``, ``list`` (of ``items``), ``dict`` (a table) or ``ANY``."""
    required: bool = False
    """Required in a site file (profiles never require anything)."""
    items: Any = None
    lo: int | None = None
    hi: int | None = None
    nonempty: bool = False
    check: Callable[[Any], str] | None = None
    """Returns a problem ('' when the value is fine)."""


def _profile_name(value: str) -> str:
    return "" if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value) else (
        f"{value!r} is not a profile name (letters, digits, _ and - only; no paths)")


def _encoding(value: str) -> str:
    return page_codec(value)[1] if value else ""


def _host(value: str) -> str:
    ok = re.fullmatch(r"(?i)[a-z0-9\u0080-\uffff]([a-z0-9\u0080-\uffff.-]*[a-z0-9\u0080-\uffff])?", value)
    return "" if ok else f"{value!r} is not a host name (no scheme, path or port)"


def _template(value: str) -> str:
    return "" if not value or "{n}" in value else f"{value!r} has no {{n}} placeholder"


FIELDS: dict[str, Spec] = {
    "slug": Spec(str, required=True, nonempty=True),
    "name": Spec(str, required=True, nonempty=True),
    "dialect": Spec(str, required=True, nonempty=True, check=_profile_name),
    "platform": Spec(str),
    "mechanism": Spec(str),
    "allowed_domains": Spec(list, required=True, items=str, nonempty=True),
    "allowed_domains[]": Spec(str, nonempty=True, check=_host),
    "encoding": Spec(str, check=_encoding),
    "pages": Spec(str, check=_template),
    "first": Spec(int, lo=0, hi=1_000_000),
    "canonical_drop_params": Spec(list, items=str),
    "region": Spec(dict, required=True),
    "region.province": Spec(str),
    "region.city": Spec(str),
    "region.county": Spec(str),
    "region.code": Spec(str, required=True, nonempty=True),
    "lists": Spec(list, required=True, items=dict, nonempty=True),
    "lists[].column": Spec(str, required=True, nonempty=True),
    "lists[].url": Spec(str, required=True, nonempty=True),
    "lists[].pages": Spec(str, check=_template),
    "lists[].first": Spec(int, lo=0, hi=1_000_000),
    "lists[].next_xpath": Spec(str),
    "lists[].max_pages": Spec(int, lo=1, hi=100_000),
    "lists[].role": Spec(str),
    "lists[].mechanism": Spec(str),
    "lists[].api": Spec(ANY),
    "links": Spec(dict),
    "links.pattern": Spec(str, nonempty=True),
    "links.scope": Spec(str),
    "links.datastore": Spec(bool),
    "article": Spec(dict),
    "article.title": Spec(str),
    "article.body": Spec(str),
    "article.published": Spec(str),
    "article.source": Spec(str),
    "article.prune": Spec(list, items=str),
    "schedule": Spec(dict),
    "schedule.cron": Spec(str, nonempty=True),
    "schedule.jitter": Spec(int, lo=0, hi=86_400),
    "schedule.timeout": Spec(int, lo=1, hi=7 * 86_400),
    "crawl": Spec(dict),
    "crawl.max_pages": Spec(int, lo=1, hi=100_000),
    "crawl.revisit_days": Spec(int, lo=0, hi=36_500),
    "page": Spec(dict),
    "page.footer": Spec(list, items=str),
    "page.metas": Spec(list, items=str),
    "links.api": Spec(bool),
    "proxy": Spec(str),
    "tls": Spec(dict),
    "tls.legacy": Spec(bool),
    "tls.min_version": Spec(str),
    "tls.verify": Spec(bool),
    "tls.ca_file": Spec(str),
    "probe": Spec(dict),
    "probe.articles": Spec(list, items=str),
    "evidence": Spec(ANY),  # each fact's source, checked by core.siteconfig
    "detect": Spec(dict),
    "detect.markers": Spec(list, items=str),
}

_KIND_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "a table"}


class SchemaError(ValueError):
    """``field: problem``; ``core.siteconfig`` prefixes the file name."""


def _type_ok(kind: Any, value: Any) -> bool:
    if kind is ANY:
        return True
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _check_value(spec: Spec, key: str, shown: str, value: Any, profile: bool) -> None:
    if not _type_ok(spec.kind, value):
        raise SchemaError(f"{shown}: expected {_KIND_NAMES[spec.kind]}, got {value!r}"[:300])
    if spec.kind is ANY:
        return
    if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise SchemaError(f"{shown}: {value!r} contains control characters"[:300])
    if spec.nonempty and (not value or (isinstance(value, str) and not value.strip())):
        raise SchemaError(f"{shown}: must not be empty")
    if spec.lo is not None and value < spec.lo:
        raise SchemaError(f"{shown}: {value} is out of range (at least {spec.lo})")
    if spec.hi is not None and value > spec.hi:
        raise SchemaError(f"{shown}: {value} is out of range (at most {spec.hi})")
    if spec.check is not None and (problem := spec.check(value)):
        raise SchemaError(f"{shown}: {problem}")
    if spec.kind is dict:
        validate(value, key, shown, profile=profile)
    elif spec.kind is list:
        item_spec = FIELDS.get(f"{key}[]") or Spec(spec.items)
        for i, item in enumerate(value):
            if item_spec.kind is dict or spec.items is dict:
                if not isinstance(item, dict):
                    raise SchemaError(f"{shown}[{i}]: expected a table, got {item!r}"[:300])
                validate(item, f"{key}[]", f"{shown}[{i}]", profile=profile)
            else:
                _check_value(item_spec, f"{key}[]", f"{shown}[{i}]", item, profile)


def _children(prefix: str) -> dict[str, Spec]:
    """The fields directly inside table ``prefix`` ('' for the top level)."""
    start = f"{prefix}." if prefix else ""
    return {k[len(start):]: v for k, v in FIELDS.items()
            if k.startswith(start) and "." not in k[len(start):] and not k.endswith("[]")}


def validate(data: dict[str, Any], prefix: str = "", shown: str = "", *, profile: bool = False) -> None:
    """Check table ``data`` (field ``prefix``) against ``FIELDS``; raise ``SchemaError``."""
    children = _children(prefix)
    for key, value in data.items():
        name = f"{shown}.{key}" if shown else key
        spec = children.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(children), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SchemaError(f"{name}: unknown field{hint}")
        _check_value(spec, f"{prefix}.{key}" if prefix else key, name, value, profile)
    if not profile:
        for key, spec in children.items():
            if spec.required and key not in data:
                raise SchemaError(f"{shown}.{key}: missing required field" if shown
                                  else f"{key}: missing required field")


def validate_file(path: Path, data: dict[str, Any], *, profile: bool = False) -> None:
    """``validate`` with errors as one-line ``SiteConfigError``s naming ``path``."""
    from core.siteconfig import SiteConfigError

    try:
        validate(data, profile=profile)
    except SchemaError as exc:
        raise SiteConfigError(f"{path.name}: {exc}") from None


def cron_problem(cron: str) -> str:
    """'' for a 5-field crontab expression that fires; else the problem."""
    from core.siteconfig import cron_trigger

    try:
        trigger = cron_trigger(cron)
    except (ValueError, TypeError, KeyError) as exc:
        return f"invalid cron expression {cron!r}: {exc}"
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        return f"cron expression {cron!r} never fires"
    return ""


def list_url_problem(url: str, allowed_domains: tuple[str, ...]) -> str:
    """'' for a list URL the spider may fetch (http(s), inside allowed_domains, not private)."""
    from core.urls import is_followable

    ok, reason = is_followable(url, allowed_domains=allowed_domains)
    return "" if ok else f"{url!r}: {reason}"
