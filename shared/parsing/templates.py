"""The user's words out of a raw `prompt` string that carries a chat template.

Text-completion APIs (Llama, Mistral, Anthropic's legacy API, DeepSeek, Titan) take one string in which
the caller has rendered the whole conversation with the model's markup. The monitors want the latest user
turn without markup, and the system prompt apart. Each template is recognised by its own markers, so a
plain prompt (no markup) comes back unchanged.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class PromptParts(NamedTuple):
    user: str
    system: str


# Llama 3 (<|start_header_id|>role<|end_header_id|> ... <|eot_id|>) and Llama 4 (<|header_start|> ... <|eot|>).
_LLAMA_TURN = re.compile(
    r"<\|(?:start_header_id|header_start)\|>\s*(\w+)\s*<\|(?:end_header_id|header_end)\|>(.*?)"
    r"(?=<\|eot_id\|>|<\|eot\|>|<\|(?:start_header_id|header_start)\|>|\Z)",
    re.DOTALL,
)
_INST_TURN = re.compile(r"\[INST\](.*?)(?:\[/INST\]|\Z)", re.DOTALL)
_LLAMA2_SYS = re.compile(r"<<SYS>>(.*?)<</SYS>>", re.DOTALL)
_MISTRAL_SYS = re.compile(r"\[SYSTEM_PROMPT\](.*?)\[/SYSTEM_PROMPT\]", re.DOTALL)
_HUMAN_ASSISTANT = re.compile(r"(?:^|\n)[ \t]*(Human|Assistant|H|A):", re.MULTILINE)
_DEEPSEEK_MARKERS = re.compile(r"<[｜|](User|Assistant|begin▁of▁sentence|end▁of▁sentence)[｜|]>")
_TITAN_TURN = re.compile(r"(?:^|\n)[ \t]*(User|Bot):", re.MULTILINE)
_SPECIAL_TOKENS = re.compile(r"</?s>|<\|begin_of_text\|>|<\|end_of_text\|>|<\|eot_id\|>|<\|eot\|>")


def split_prompt(prompt: str) -> PromptParts:
    """(latest user turn, system prompt) of a templated prompt string, markup removed."""
    if "<|start_header_id|>" in prompt or "<|header_start|>" in prompt:
        return _llama(prompt)
    if "[INST]" in prompt:
        return _inst(prompt)
    if "｜User｜" in prompt or "<|User|>" in prompt:
        return _deepseek(prompt)
    if _HUMAN_ASSISTANT.search(prompt) and re.search(r"(?:^|\n)[ \t]*(?:Human|H):", prompt):
        return _roles(prompt, _HUMAN_ASSISTANT, user_roles=("Human", "H"))
    if re.match(r"\s*User:", prompt) and _TITAN_TURN.search(prompt, 1):
        return _roles(prompt, _TITAN_TURN, user_roles=("User",))
    return PromptParts(_clean(prompt), "")


def _clean(text: str) -> str:
    return _SPECIAL_TOKENS.sub("", text).strip()


def _llama(prompt: str) -> PromptParts:
    user, system = "", ""
    for match in _LLAMA_TURN.finditer(prompt):
        role, text = match.group(1).lower(), _clean(match.group(2))
        if role == "system" and not system:
            system = text
        elif role == "user" and text:
            user = text
    return PromptParts(user, system)


def _inst(prompt: str) -> PromptParts:
    system = ""
    sys_match = _MISTRAL_SYS.search(prompt) or _LLAMA2_SYS.search(prompt)
    if sys_match:
        system = sys_match.group(1).strip()
        prompt = prompt[: sys_match.start()] + prompt[sys_match.end() :]
    turns = [_clean(t) for t in _INST_TURN.findall(prompt)]
    turns = [t for t in turns if t]
    return PromptParts(turns[-1] if turns else "", system)


def _deepseek(prompt: str) -> PromptParts:
    system_parts: list[str] = []
    user = ""
    role = "system"
    pos = 0
    for match in _DEEPSEEK_MARKERS.finditer(prompt):
        text = prompt[pos : match.start()].strip()
        if text:
            if role == "system":
                system_parts.append(text)
            elif role == "user":
                user = text
        marker = match.group(1)
        if marker in ("User", "Assistant"):
            role = marker.lower()
        pos = match.end()
    tail = prompt[pos:].strip()
    if tail and role == "user":
        user = tail
    return PromptParts(_clean(user), "\n".join(system_parts))


def _roles(prompt: str, pattern: re.Pattern[str], *, user_roles: tuple[str, ...]) -> PromptParts:
    """Dialogues written as 'Human: … Assistant: …' (Anthropic legacy) or 'User: … Bot: …' (Titan)."""
    matches = list(pattern.finditer(prompt))
    system = prompt[: matches[0].start()].strip() if matches else ""
    user = ""
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(prompt)
        text = prompt[match.end() : end].strip()
        if match.group(1) in user_roles and text:
            user = text
    return PromptParts(_clean(user), _clean(system))
