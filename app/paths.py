"""Where the project keeps what it makes at run time (converted models, local databases)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Local state of the embedded defaults (SQLite files, Milvus Lite, caches, the dev JWT secret):
# anchored at the checkout, not the working directory, so every process of one deployment
# (the Serve replicas, the CLIs) finds the same files wherever it was started.
VAR_DIR = Path(os.environ.get("OSA_VAR_DIR", REPO_ROOT / "var"))
# Converted or exported model files: made once by the README's commands, then reused.
MODELS_DIR = Path(os.environ.get("OSA_MODELS_DIR", VAR_DIR / "models"))
