"""The exact text sent to an embedding model, so every monitor asks for the same string.

Embeddings are cached by text: when two monitors embed a completion the same way, the second one is a
cache hit. That only works if both cut and clean the text identically, hence one function.
"""

from __future__ import annotations


def embedding_text(text: str, max_chars: int) -> str:
    text = " ".join(text.split())
    return text[:max_chars]
