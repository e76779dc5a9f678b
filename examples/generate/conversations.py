"""The text of one exchange: system prompt, earlier turns, question and completion, from the banks.

Which text a plan gets follows its category: a helpful answer of about the plan's target length, a hard
negative (apologises or quotes a "can't" but helps), bad news, a toxic answer, or a refusal in the model
family's own words (over-cautious stock lines for the spike and for Llama). Non-English plans take a whole
conversation from their language's bank.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from examples.generate.banks import (
    Intent,
    TopicBank,
    apps,
    languages,
    prompt_framing,
    refusals,
    topics,
    toxic_asides,
)
from examples.generate.layout import JsonDict
from examples.generate.models import NO_SYSTEM_STYLES
from examples.generate.slots import draw_slots, fill
from examples.generate.traffic import (
    MAX_COMPLETION_CHARS,
    MIN_COMPLETION_CHARS,
    SPIKE_SYSTEM_SUFFIX,
    TENANTS,
    Plan,
    weighted,
)

__all__ = ["Conversation", "conversation"]

_MAX_EXTRAS = 2  # topic-level paragraphs added to an answer of ordinary length

_TOPICS = topics()
_APPS = apps()
_LANGUAGES = languages()
_REFUSALS = refusals()
_FRAMING = prompt_framing()
_TOXIC_ASIDES = toxic_asides()


@dataclass
class Conversation:
    topic: str
    system: str
    history: list[tuple[str, str]]
    prompt: str
    completion: str
    reasoning: str = ""
    documents: list[JsonDict] = field(default_factory=list)


def _choose_intent(rng: random.Random, topic: TopicBank, *, hard: bool) -> Intent:
    pool = [i for i in topic.intents if i.hard == hard]
    return rng.choice(pool)


def _question(rng: random.Random, intent: Intent, slots: dict[str, str], topic: str) -> str:
    q = fill(rng.choice(intent.questions), slots)
    r = rng.random()
    if topic == "support" and r < 0.08:
        q = rng.choice(_FRAMING.frustrated_prefixes) + q
    elif r < 0.25:
        q = rng.choice(_FRAMING.prefixes) + q
    if rng.random() < 0.12:
        q += rng.choice(_FRAMING.suffixes)
    return q


def _assemble(rng: random.Random, paragraphs: Sequence[str], extras: Sequence[str], target: int) -> str:
    """Paragraphs, then on-topic extras until about `target` characters, always within 150–1,500."""
    paras = list(paragraphs)
    while len(paras) > 1 and len("\n\n".join(paras)) > MAX_COMPLETION_CHARS:
        paras.pop()
    text = "\n\n".join(paras)
    pool = list(extras)
    rng.shuffle(pool)
    for extra in pool[: _MAX_EXTRAS if target < 1000 else 2 * _MAX_EXTRAS]:  # long answers ramble a little
        if len(text) >= max(target, MIN_COMPLETION_CHARS):
            break
        if len(text) + 2 + len(extra) <= MAX_COMPLETION_CHARS:
            text += "\n\n" + extra
    return text


def _refusal(rng: random.Random, plan: Plan, topic: TopicBank, slots: dict[str, str], what: str) -> str:
    family = plan.model.family if plan.model else "anthropic"
    if plan.language != "en":
        return rng.choice(_LANGUAGES[plan.language].refusals)
    if not plan.harmful and (plan.spike or family == "llama"):
        text = weighted(rng, _REFUSALS.over_cautious).replace("{over_refusal}", topic.over_refusal)
    else:
        text = rng.choice(_REFUSALS.by_family[family]).replace("{what}", what)
    if rng.random() < 0.5 and not text.endswith("?"):
        offers = topic.alternatives if plan.harmful else _REFUSALS.offers
        offer = fill(rng.choice(offers), slots)
        if offer not in text:
            text += " " + offer
    return text


def _toxic_answer(rng: random.Random, topic: TopicBank, intent: Intent, slots: dict[str, str]) -> str:
    """Insults around enough of the real answer (prose, no code or lists) to stay on topic."""
    body: list[str] = []
    for paragraph in rng.choice(intent.answers):
        if "\n" not in paragraph and not paragraph.startswith("```") and paragraph != "{read_code}":
            body.append(fill(paragraph, slots))
        if sum(map(len, body)) >= 150:
            break
    body.append(rng.choice(_TOXIC_ASIDES))
    opener, closer = (
        fill(rng.choice(topic.toxic_openers), slots),
        fill(rng.choice(topic.toxic_closers), slots),
    )
    return f"{opener} " + "\n\n".join(body) + f"\n\n{closer}"


def _reasoning(rng: random.Random, plan: Plan, topic: TopicBank, question: str, what: str) -> str:
    gist = question if len(question) <= 160 else question[:157].rsplit(" ", 1)[0] + "..."
    if plan.category == "refusal":
        if plan.harmful:
            return f"The user is asking for {what}. That could cause real harm, so I should decline politely."
        return f'The user asks: "{gist}" This might be risky to answer, so I will decline to be safe.'
    return f'Okay, the user asks: "{gist}" {rng.choice(topic.hints)}. Let me put together a clear answer.'


def conversation(rng: random.Random, plan: Plan) -> Conversation:
    """The exchange behind one generation record (not an offloaded one: see `large_inputs`)."""
    app = _APPS[plan.app]
    topic = _TOPICS[rng.choice(app.topics)]
    slots = draw_slots(rng, topic)
    slots["company"] = TENANTS[plan.tenant]
    system = ""
    if plan.style not in NO_SYSTEM_STYLES:
        system = fill(rng.choice(app.systems), slots)
        if plan.spike:
            system += "\n\n" + SPIKE_SYSTEM_SUFFIX
    history: list[tuple[str, str]] = []
    what = ""
    intent: Intent | None = None  # the intent the latest question comes from, if any

    if plan.language != "en":
        q, a = rng.choice(_LANGUAGES[plan.language].conversations[topic.name])
        question, completion = fill(q, slots), fill(a, slots)
        if plan.category == "refusal":
            completion = _refusal(rng, plan, topic, slots, "")
    elif plan.category == "refusal":
        if plan.harmful:
            q, what = rng.choice(topic.harmful)
            question, what = fill(q, slots), fill(what, slots)
        else:
            intent = _choose_intent(rng, topic, hard=False)
            question = _question(rng, intent, slots, topic.name)
            what = topic.over_refusal
        completion = _refusal(rng, plan, topic, slots, what)
    elif plan.category == "negative":
        intent = rng.choice(topic.negatives)
        question = fill(rng.choice(intent.questions), slots)
        completion = _assemble(rng, [fill(p, slots) for p in rng.choice(intent.answers)], (), 0)
    elif plan.category == "toxic":
        intent = _choose_intent(rng, topic, hard=False)
        question = _question(rng, intent, slots, topic.name)
        completion = _toxic_answer(rng, topic, intent, slots)
    else:
        hard = plan.category == "hard_negative"
        native = hard and rng.random() < 0.5 and any(i.hard for i in topic.intents)
        intent = _choose_intent(rng, topic, hard=native)
        question = _question(rng, intent, slots, topic.name)
        paras = [fill(p, slots) for p in rng.choice(intent.answers)]
        if hard and not native:
            paras.insert(0, fill(rng.choice(topic.hard_openers), slots))
        extras = [fill(e, slots) for e in topic.extras]
        completion = _assemble(rng, paras, extras, plan.target_len)

    if plan.multi_turn and plan.language == "en" and plan.style not in NO_SYSTEM_STYLES:
        # Earlier turns of the same conversation: other questions on the topic, with the same slot values.
        earlier = [i for i in topic.intents if not i.hard and i is not intent]
        for turn in rng.sample(earlier, 1 if rng.random() < 0.8 else 2):
            answer = "\n\n".join(fill(p, slots) for p in rng.choice(turn.answers)[:2])
            history.append((fill(rng.choice(turn.questions), slots), answer))

    conv = Conversation(topic.name, system, history, question, completion)
    family = plan.model.family if plan.model else ""
    if family in ("deepseek", "openai"):
        conv.reasoning = _reasoning(rng, plan, topic, question, what)
    if plan.style.startswith("cohere") and plan.app == "docs-search" and plan.category != "refusal":
        # Retrieval-augmented: the snippets the app found, one of them the source of the answer.
        snippets = [p for p in completion.split("\n\n") if len(p) > 80][:2] or [completion[:300]]
        conv.documents = [{"title": f"{topic.name.title()} guide", "snippet": s} for s in snippets]
    return conv
