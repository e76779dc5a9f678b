"""Chat-template markup removed from raw prompt strings; the user's latest words kept."""

from __future__ import annotations

import pytest

from shared.parsing.templates import split_prompt


@pytest.mark.parametrize(
    ("prompt", "user", "system"),
    [
        ("Just a plain question?", "Just a plain question?", ""),
        (
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe kind.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            "Hi",
            "Be kind.",
        ),
        (
            "<|begin_of_text|><|header_start|>user<|header_end|>\n\nLlama four?<|eot|><|header_start|>assistant<|header_end|>\n\n",
            "Llama four?",
            "",
        ),
        ("<s>[INST] one [/INST] a</s><s>[INST] two [/INST]", "two", ""),
        ("<s>[INST] <<SYS>>\nSys.\n<</SYS>>\n\nQuestion [/INST]", "Question", "Sys."),
        ("<s>[SYSTEM_PROMPT]Sys v7[/SYSTEM_PROMPT][INST]Q7[/INST]", "Q7", "Sys v7"),
        ("\n\nHuman: first\n\nAssistant: ok\n\nHuman: second\n\nAssistant:", "second", ""),
        ("Context here.\n\nHuman: q\n\nAssistant:", "q", "Context here."),
        (
            "<｜begin▁of▁sentence｜>Sys<｜User｜>Q1<｜Assistant｜>A1<｜end▁of▁sentence｜><｜User｜>Q2<｜Assistant｜><think>\n",
            "Q2",
            "Sys",
        ),
        ("<|User|>ascii markers<|Assistant|>", "ascii markers", ""),
        ("User: Hello\nBot: Hi\nUser: Bye\nBot:", "Bye", ""),
        # A colon in ordinary prose is not a template.
        ("Translate this: User: is a word", "Translate this: User: is a word", ""),
    ],
)
def test_split_prompt(prompt: str, user: str, system: str) -> None:
    assert split_prompt(prompt) == (user, system)
