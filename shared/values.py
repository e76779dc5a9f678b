"""One parser per kind of value, for every way a setting arrives.

Settings reach the code as JSON from cdk.json, as strings from `-c key=value` and the command line, and
as strings from a Lambda's environment. Every one of them goes through these functions, so a boolean, an
integer or a number is accepted or rejected the same way in `cdk synth`, in every `llm-monitor` command
and in a Lambda at start-up, and every error names its key (ConfigurationError).

Rules: booleans are `true/false/yes/no/1/0` (any case) or JSON booleans; integers are integral (JSON
`3`, `3.0` or the string `"3"`; never a boolean); numbers are finite (`nan` and `inf` are rejected: a
NaN passes every `<`/`>` range check and would silently switch a threshold or a sampling rate off).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence

from shared.errors import ConfigurationError

TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")


#: How much of a bad value an error message shows: enough to recognise it, never a 100 KB line.
SHOWN_CHARS = 80


def _shown(value: object) -> str:
    """`value` as Python writes it, cut to SHOWN_CHARS (an error message is one line on a terminal)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[: SHOWN_CHARS - 1]}…"


def parse_bool(value: object, *, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise ConfigurationError(key, f"must be true or false, got {_shown(value)}")


def _check_range(number: float, *, key: str, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and maximum is not None:
        if not minimum <= number <= maximum:
            raise ConfigurationError(key, f"must be between {minimum:g} and {maximum:g}, got {number:g}")
    elif minimum is not None and number < minimum:
        raise ConfigurationError(key, f"must be at least {minimum:g}, got {number:g}")
    elif maximum is not None and number > maximum:
        raise ConfigurationError(key, f"must be at most {maximum:g}, got {number:g}")


def parse_float(value: object, *, key: str, minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite number within [minimum, maximum]."""
    number: float
    if isinstance(value, bool):
        raise ConfigurationError(key, f"must be a number, got {_shown(value)}")
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise ConfigurationError(key, f"must be a number, got {_shown(value)}") from None
    else:
        raise ConfigurationError(key, f"must be a number, got {_shown(value)}")
    if not math.isfinite(number):
        raise ConfigurationError(key, f"must be a finite number, got {_shown(value)}")
    _check_range(number, key=key, minimum=minimum, maximum=maximum)
    return number


def parse_int(value: object, *, key: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """An integer within [minimum, maximum]; `3.0` is 3, `3.5` is an error."""
    if isinstance(value, bool):
        raise ConfigurationError(key, f"must be an integer, got {_shown(value)}")
    number: int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ConfigurationError(key, f"must be an integer, got {_shown(value)}")
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise ConfigurationError(key, f"must be an integer, got {_shown(value)}") from None
            if not as_float.is_integer():
                raise ConfigurationError(key, f"must be an integer, got {_shown(value)}") from None
            number = int(as_float)
    else:
        raise ConfigurationError(key, f"must be an integer, got {_shown(value)}")
    _check_range(number, key=key, minimum=minimum, maximum=maximum)
    return number


def parse_str(value: object, *, key: str, choices: Sequence[str] | None = None) -> str:
    """A string (JSON numbers and booleans are not silently turned into strings)."""
    if not isinstance(value, str):
        raise ConfigurationError(key, f"must be a string, got {_shown(value)}")
    text = value.strip()
    if choices is not None and text not in choices:
        raise ConfigurationError(key, f"must be one of {', '.join(choices)}, got {_shown(text)}")
    return text


def parse_list(value: object, *, key: str) -> list[str]:
    """A JSON list of strings, a JSON-encoded list, or a comma-separated string."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise ConfigurationError(key, f"is not a valid JSON list: {_shown(text)}") from None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise ConfigurationError(key, "must be a list of strings or a comma-separated string")


def parse_mapping(value: object, *, key: str) -> dict[str, object]:
    """A JSON object (or its JSON text); None is an empty object."""
    if value is None:
        return {}
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            raise ConfigurationError(key, "is not a valid JSON object") from None
    if not isinstance(value, dict):
        raise ConfigurationError(key, "must be an object")
    return {str(k): v for k, v in value.items()}


def parse_pairs(value: object, *, key: str) -> dict[str, str]:
    """`{"a": "b"}` (JSON) or `a=b,c=d` (the command line; a key may hold dots and colons, so pairs are
    split on the last `=`)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str) and not value.strip().startswith("{"):
        pairs: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in value.split(","))):
            name, sep, mapped = pair.rpartition("=")
            if not sep or not name.strip() or not mapped.strip():
                raise ConfigurationError(key, f"expected key=value pairs, got {_shown(pair)}")
            pairs[name.strip()] = mapped.strip()
        return pairs
    mapping = parse_mapping(value, key=key)
    if not all(isinstance(v, str) and v.strip() for v in mapping.values()):
        raise ConfigurationError(key, "every value must be a non-empty string")
    return {k: str(v).strip() for k, v in mapping.items()}


def reject_unknown(values: Mapping[str, object], known: Sequence[str], *, prefix: str) -> None:
    """ConfigurationError naming the first key of `values` that is not in `known`."""
    for name in values:
        if name not in known:
            raise ConfigurationError(f"{prefix}.{name}", f"unknown setting; known: {', '.join(sorted(known))}")


# Environment variables: absent or empty means the default; anything else goes through the parsers above.


def env_str(env: Mapping[str, str], key: str, default: str | None = None) -> str:
    value = env.get(key) or default
    if value is None or not value.strip():
        raise ConfigurationError(key, "is required")
    return value.strip()


def env_bool(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = env.get(key)
    return default if raw is None or raw == "" else parse_bool(raw, key=key)


def env_int(
    env: Mapping[str, str], key: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = env.get(key)
    return default if raw is None or raw == "" else parse_int(raw, key=key, minimum=minimum, maximum=maximum)


def env_float(
    env: Mapping[str, str], key: str, default: float, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    raw = env.get(key)
    return default if raw is None or raw == "" else parse_float(raw, key=key, minimum=minimum, maximum=maximum)
