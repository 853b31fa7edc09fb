"""Where the project keeps what it makes at run time (converted models, local databases)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Converted or exported model files: made once by the README's commands, then reused.
MODELS_DIR = Path(os.environ.get("OSA_MODELS_DIR", REPO_ROOT / "var" / "models"))
