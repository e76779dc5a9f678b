"""Model ids as users know them: the `ModelId` dimension never carries an ARN with an account id.

Bedrock logs whatever the caller passed as `modelId`: a foundation-model id (`anthropic.claude-3-haiku-…`),
a cross-region inference-profile id (`us.anthropic.claude-…`), or an ARN of either — or of an
application inference profile or a provisioned model, whose ids say nothing about the model. Metrics,
alarms, the replay summary and the dashboard use the short form, so `alarmModelIds=us.anthropic.claude-…`
(the form the README asks for) receives the traffic whichever way it was invoked, and no account id ends up
in a dimension value. Opaque ids map to a name of the user's choosing through `modelIdAliases`. The raw
value stays on the record (parse output) and rides along in each EMF document as a property.
"""

from __future__ import annotations

from collections.abc import Mapping

#: ARN resource types whose name is the model or inference-profile id users write.
_NAMED_RESOURCES = frozenset({"foundation-model", "inference-profile"})


def is_arn(model_id: str) -> bool:
    return model_id.startswith("arn:")


def model_name(model_id: str, aliases: Mapping[str, str] | None = None) -> str:
    """The id to use as the `ModelId` dimension for `model_id` as Bedrock logged it.

    An alias wins (keyed by the raw value or by its short form). A foundation-model or inference-profile
    ARN becomes its id; any other ARN (application inference profile, provisioned or imported model)
    becomes `<resource type>/<id>`, which drops the partition, region and account id.
    """
    aliases = aliases or {}
    if model_id in aliases:
        return aliases[model_id]
    short = _short_form(model_id)
    return aliases.get(short, short)


def _short_form(model_id: str) -> str:
    if not is_arn(model_id):
        return model_id
    parts = model_id.split(":", 5)
    if len(parts) < 6:
        return model_id
    kind, _, name = parts[5].partition("/")
    if not name:
        return parts[5]
    return name if kind in _NAMED_RESOURCES else f"{kind}/{name}"


class ModelNames:
    """`model_name` with the configured aliases, remembered per raw id (a process sees few distinct ids)."""

    def __init__(self, aliases: Mapping[str, str] | None = None) -> None:
        self.aliases = dict(aliases or {})
        self._seen: dict[str, str] = {}

    def __call__(self, model_id: str) -> str:
        name = self._seen.get(model_id)
        if name is None:
            name = self._seen[model_id] = model_name(model_id, self.aliases)
        return name
