"""A small IAM identity-policy evaluator for tests: Allow statements, Action/Resource wildcards and
the StringLike/StringEquals conditions our policies use. No Deny, NotAction or policy variables:
a statement using anything else fails loudly rather than being misread."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

_SUPPORTED_KEYS = frozenset({"Sid", "Effect", "Action", "Resource", "Condition"})


@cache
def _wildcard(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    # IAM wildcards: `*` any run of characters, `?` one character; everything else literal.
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _conditions_hold(condition: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    for operator, checks in condition.items():
        if operator not in ("StringLike", "StringEquals"):
            raise ValueError(f"condition operator {operator} is not supported by this matcher")
        for key, allowed in checks.items():
            if key not in context:
                return False  # IAM: a condition on an absent key does not match
            value = context[key]
            patterns = _as_list(allowed)
            if operator == "StringEquals" and value not in patterns:
                return False
            if operator == "StringLike" and not any(
                _wildcard(p, ignore_case=False).match(value) for p in patterns
            ):
                return False
    return True


def statement_allows(
    statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str] | None = None
) -> bool:
    unknown = set(statement) - _SUPPORTED_KEYS
    if unknown or statement.get("Effect") != "Allow":
        raise ValueError(
            f"statement {statement.get('Sid')}: unsupported {unknown or statement.get('Effect')}"
        )
    return (
        any(_wildcard(a, ignore_case=True).match(action) for a in _as_list(statement["Action"]))
        and any(_wildcard(r, ignore_case=False).match(resource) for r in _as_list(statement["Resource"]))
        and _conditions_hold(statement.get("Condition", {}), context or {})
    )


def allows(
    policy: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str] | None = None
) -> bool:
    """Whether some statement of the policy allows `action` on `resource` (with condition `context`)."""
    return any(statement_allows(s, action, resource, context) for s in policy["Statement"])


def granted_actions(policy: Mapping[str, Any]) -> set[str]:
    return {action for statement in policy["Statement"] for action in _as_list(statement["Action"])}


def granted_resources(policy: Mapping[str, Any]) -> set[str]:
    return {resource for statement in policy["Statement"] for resource in _as_list(statement["Resource"])}
