"""Slot values: drawn once per conversation so a question and its answer name the same order, city or sum.

The pools are data (each topic's `slot_values`); what stays here is the part that is not a plain pick: the
order of the draws (it fixes the output for a seed), numbers computed from other draws, and values built
from several slots. Each topic has one function; `draw_slots` finds it by the topic's name.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from examples.generate.banks import BankError, SlotValues, TopicBank

__all__ = ["draw_slots", "fill"]

_SLOT = re.compile(r"\{([a-z_0-9]+)\}")


def fill(template: str, slots: dict[str, str]) -> str:
    """Replace {slot} for known slots only; code braces and unknown names stay as written."""
    if "{" not in template:
        return template
    return _SLOT.sub(lambda m: slots.get(m.group(1), m.group(0)), template)


def draw_slots(rng: random.Random, topic: TopicBank) -> dict[str, str]:
    """A fresh set of slot values for one conversation on `topic`."""
    try:
        draw = _DRAWS[topic.name]
    except KeyError:
        raise BankError(f"topics/{topic.name}.json: no slot function for this topic") from None
    return draw(rng, topic.slot_values)


def _support(rng: random.Random, values: SlotValues) -> dict[str, str]:
    return {
        "order": f"#{rng.randint(100000, 999999)}",
        "product": rng.choice(values.text("product")),
        "carrier": rng.choice(values.text("carrier")),
        "days": rng.choice(values.text("days")),
        "plan": rng.choice(values.text("plan")),
        "price": f"${rng.choice(values.text('price_dollars'))}.{rng.choice(values.text('price_cents'))}",
        "when": rng.choice(values.text("when")),
    }


def _coding(rng: random.Random, values: SlotValues) -> dict[str, str]:
    snippets = rng.choice(values.rows("languages"))  # lang, fence and the language's how-to snippets
    slots = dict(rng.choice(values.rows("exit_codes")))  # code, code_meaning
    for name in ("file", "module", "branch", "n", "script", "site"):
        slots[name] = rng.choice(values.text(name))
    slots.update(snippets)
    slots["read_code"] = f"```{snippets['fence']}\n{fill(snippets['read_code'], slots)}\n```"
    return slots


def _travel(rng: random.Random, values: SlotValues) -> dict[str, str]:
    slots = dict(rng.choice(values.rows("cities")))  # city, country, sight1-4, food, transfer, ...
    for name in ("days", "month", "travellers", "budget", "n"):
        slots[name] = rng.choice(values.text(name))
    return slots


def _cooking(rng: random.Random, values: SlotValues) -> dict[str, str]:
    slots = dict(rng.choice(values.rows("substitutes")))  # ingredient, substitute, sub_effect
    slots.update(rng.choice(values.rows("meats")))  # meat, oven_temp, cook_time, safe_temp
    servings = rng.choice(values.numbers("servings"))
    slots["dish"] = rng.choice(values.text("dish"))
    slots["meal"] = rng.choice(values.text("meal"))
    slots["servings"] = str(servings)
    slots["factor"] = f"{servings / 4:g}"  # the recipes in the answers serve four
    return slots


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _finance(rng: random.Random, values: SlotValues) -> dict[str, str]:
    amount = rng.choice(values.numbers("amount"))
    rate = rng.choice(values.numbers("rate"))
    years = rng.choice(values.numbers("years"))
    future = amount * (1 + rate / 100) ** years
    income = rng.choice(values.numbers("income"))
    expenses = rng.choice(values.numbers("expenses"))
    return {
        "amount": _money(amount),
        "rate": str(rate),
        "years": str(years),
        "future": _money(future),
        "interest": _money(future - amount),
        "income": _money(income),
        "needs": _money(income * 0.5),  # the 50/30/20 rule the budgeting answer explains
        "wants": _money(income * 0.3),
        "savings": _money(income * 0.2),
        "expenses": _money(expenses),
        "low": _money(expenses * 3),  # an emergency fund of three to six months of expenses
        "high": _money(expenses * 6),
    }


def _health(rng: random.Random, values: SlotValues) -> dict[str, str]:
    weight = rng.choice(values.numbers("weight"))
    return {
        "distance": rng.choice(values.text("distance")),
        "weeks": rng.choice(values.text("weeks")),
        "weight": str(weight),
        "protein": str(round(weight * 1.6)),  # grams a day at 1.6 g per kg
        "days": rng.choice(values.text("days")),
    }


def _writing(rng: random.Random, values: SlotValues) -> dict[str, str]:
    slots = dict(rng.choice(values.rows("rewrites")))  # casual, formal
    for name in ("doc", "role", "org", "person", "blog"):
        slots[name] = rng.choice(values.text(name))
    return slots


_DRAWS: dict[str, Callable[[random.Random, SlotValues], dict[str, str]]] = {
    "support": _support,
    "coding": _coding,
    "travel": _travel,
    "cooking": _cooking,
    "finance": _finance,
    "health": _health,
    "writing": _writing,
}
