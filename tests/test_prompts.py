"""System prompts as versioned files: id, version, content hash, selection by config."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.llm.prompts import (
    DEFAULT_SELECTION,
    PROMPTS_DIR,
    PromptNotFound,
    PromptRegistry,
    parse_prompt_file,
)


def write_prompt(directory: Path, prompt_id: str, version: str, body: str, name: str = "") -> Path:
    path = directory / (name or f"{prompt_id}.{version}.md")
    path.write_text(
        f"---\nid: {prompt_id}\nversion: {version}\ndescription: test prompt\n---\n{body}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def prompt_dir(tmp_path: Path) -> Path:
    for prompt_id, version in DEFAULT_SELECTION.items():
        write_prompt(tmp_path, prompt_id, version, f"You are the {prompt_id} prompt, {version}.")
    write_prompt(tmp_path, "tracking", "v2", "You are the tracking prompt, version two.")
    return tmp_path


# ---------------------------------------------------------------- the shipped prompts


def test_shipped_prompts_cover_the_default_selection() -> None:
    selected = PromptRegistry().select()
    assert set(selected) == set(DEFAULT_SELECTION)
    for prompt_id, prompt in selected.items():
        assert (prompt.id, prompt.version) == (prompt_id, DEFAULT_SELECTION[prompt_id])
        assert prompt.text.strip() and not prompt.text.startswith("---")
        assert prompt.sha256 == hashlib.sha256(prompt.text.encode()).hexdigest()
        assert prompt.ref == f"{prompt_id}@{prompt.version}#{prompt.sha256[:12]}"


def test_shipped_worker_prompts_ask_for_the_scratchpad_tags() -> None:
    selected = PromptRegistry().select()
    # The policy worker's model only chooses lines under a JSON Schema (policy.v3): no
    # free text, so no scratchpad (tests/test_policy_agent.py pins that prompt's contract).
    for tier in ("tracking", "negotiation"):
        assert "<thought>" in selected[tier].text and "<response>" in selected[tier].text


def test_every_shipped_file_parses() -> None:
    files = sorted(PROMPTS_DIR.glob("*.md"))
    assert files
    for path in files:
        prompt = parse_prompt_file(path)
        assert path.name == f"{prompt.id}.{prompt.version}.md"


# ---------------------------------------------------------------- parsing and hashing


def test_front_matter_is_not_part_of_the_text(prompt_dir: Path) -> None:
    prompt = parse_prompt_file(prompt_dir / "tracking.v2.md")
    assert prompt.text == "You are the tracking prompt, version two.\n"
    assert prompt.sha256 == hashlib.sha256(prompt.text.encode()).hexdigest()


def test_hash_changes_when_the_text_changes(tmp_path: Path) -> None:
    path = write_prompt(tmp_path, "tracking", "v1", "Answer briefly.")
    before = parse_prompt_file(path)
    write_prompt(tmp_path, "tracking", "v1", "Answer briefly!")
    after = parse_prompt_file(path)
    assert before.sha256 != after.sha256
    assert before.ref != after.ref
    assert before.ref.startswith("tracking@v1#") and after.ref.startswith("tracking@v1#")


def test_hash_ignores_only_surrounding_whitespace_and_the_description(tmp_path: Path) -> None:
    path = write_prompt(tmp_path, "tracking", "v1", "Answer briefly.")
    base = parse_prompt_file(path).sha256
    path.write_text(
        "---\nid: tracking\nversion: v1\ndescription: reworded\n---\n\n\nAnswer briefly.\n\n",
        encoding="utf-8",
    )
    assert parse_prompt_file(path).sha256 == base


def test_file_name_must_match_id_and_version(tmp_path: Path) -> None:
    path = write_prompt(tmp_path, "tracking", "v2", "text", name="tracking.v1.md")
    with pytest.raises(ValueError, match=r"tracking\.v2\.md"):
        parse_prompt_file(path)
    with pytest.raises(ValueError, match="file name"):
        PromptRegistry(tmp_path)


@pytest.mark.parametrize(
    "raw",
    [
        "no front matter at all\n",
        "---\nversion: v1\n---\nbody\n",
        "---\nid: tracking\n---\nbody\n",
    ],
)
def test_malformed_files_fail(tmp_path: Path, raw: str) -> None:
    path = tmp_path / "tracking.v1.md"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(ValueError):
        parse_prompt_file(path)


# ---------------------------------------------------------------- selection


def test_select_uses_defaults_and_overrides(prompt_dir: Path) -> None:
    registry = PromptRegistry(prompt_dir)
    assert registry.versions("tracking") == ["v1", "v2"]
    default = registry.select()
    assert {i: p.version for i, p in default.items()} == DEFAULT_SELECTION
    chosen = registry.select({"tracking": "v2"})
    assert chosen["tracking"].version == "v2"
    assert chosen["policy"] == default["policy"]


def test_rollback_is_selecting_the_older_version(prompt_dir: Path) -> None:
    registry = PromptRegistry(prompt_dir)
    shipped = registry.select({"tracking": "v2"})["tracking"]
    rolled_back = registry.select({"tracking": "v1"})["tracking"]
    assert rolled_back.version == "v1" and rolled_back.sha256 != shipped.sha256
    assert rolled_back == registry.select()["tracking"]


def test_unknown_version_fails_fast(prompt_dir: Path) -> None:
    registry = PromptRegistry(prompt_dir)
    with pytest.raises(PromptNotFound, match=r"tracking@v3.*v1.*v2"):
        registry.select({"tracking": "v3"})
    with pytest.raises(PromptNotFound):
        registry.get("no-such-prompt", "v1")


def test_missing_default_prompt_fails_select(tmp_path: Path) -> None:
    write_prompt(tmp_path, "tracking", "v1", "only tracking")
    registry = PromptRegistry(tmp_path)
    with pytest.raises(PromptNotFound, match="policy"):
        registry.select()
