"""System prompts as versioned artifacts: files with an id, a version and a content hash.

`app/llm/prompts/<id>.<version>.md` holds one prompt with YAML front matter (`id`, `version`,
`description`). Which version each tier uses is configuration (`prompts:` in the Serve
application args), so shipping or rolling back a prompt is a `serve deploy` of a config
change, never a code edit. Every trace records `PromptVersion.ref` (id@version#hash).
Policy facts never live here: they are retrieved from the knowledge base.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

PROMPTS_DIR = Path(__file__).with_name("prompts")
DEFAULT_SELECTION: dict[str, str] = {
    "tracking": "v1",
    "policy": "v3",
    "negotiation": "v1",
    "router": "v1",
}


class PromptNotFound(LookupError):
    pass


@dataclass(frozen=True)
class PromptVersion:
    id: str
    version: str
    text: str
    sha256: str

    @property
    def ref(self) -> str:
        """What traces record: enough to find the exact bytes the model saw."""
        return f"{self.id}@{self.version}#{self.sha256[:12]}"


def parse_prompt_file(path: Path) -> PromptVersion:
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise ValueError(f"{path.name}: a prompt file starts with YAML front matter")
    header, _, body = raw[4:].partition("\n---\n")
    meta = yaml.safe_load(header) or {}
    prompt_id, version = str(meta.get("id", "")), str(meta.get("version", ""))
    if not prompt_id or not version:
        raise ValueError(f"{path.name}: front matter needs `id` and `version`")
    if path.name != f"{prompt_id}.{version}.md":
        raise ValueError(f"{path.name}: file name must be {prompt_id}.{version}.md")
    text = body.strip() + "\n"
    return PromptVersion(prompt_id, version, text, hashlib.sha256(text.encode()).hexdigest())


class PromptRegistry:
    def __init__(self, directory: Path = PROMPTS_DIR) -> None:
        self._prompts: dict[tuple[str, str], PromptVersion] = {}
        for path in sorted(directory.glob("*.md")):
            prompt = parse_prompt_file(path)
            self._prompts[(prompt.id, prompt.version)] = prompt

    def get(self, prompt_id: str, version: str) -> PromptVersion:
        try:
            return self._prompts[(prompt_id, version)]
        except KeyError:
            known = sorted(v for (i, v) in self._prompts if i == prompt_id)
            raise PromptNotFound(f"no prompt {prompt_id}@{version} (have: {known})") from None

    def versions(self, prompt_id: str) -> list[str]:
        return sorted(v for (i, v) in self._prompts if i == prompt_id)

    def select(self, selection: Mapping[str, str] | None = None) -> dict[str, PromptVersion]:
        """Resolve a {prompt id: version} choice at start-up, so a typo fails the deploy."""
        chosen = {**DEFAULT_SELECTION, **(selection or {})}
        return {prompt_id: self.get(prompt_id, v) for prompt_id, v in chosen.items()}
