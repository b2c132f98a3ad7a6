"""The closed-form count is exact: equal, to the parameter, to the transformers model built on
the meta device, for every shipped config.json and for each option the form reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lmfootprint.models.architecture import architecture_from_config
from lmfootprint.models.closed_form import FAMILIES, METHOD_CLOSED_FORM, family_count
from lmfootprint.models.config_json import read_config_json, shape_facts
from lmfootprint.models.meta_device import build_config, count_with_transformers

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "resources" / "hub").glob("*/config.json"))
SNAPSHOT = sorted((ROOT.parent / "shared" / "hub-snapshot").glob("*/config.json"))
CONFIGS = SHIPPED + SNAPSHOT  # the snapshot is a fixture beside the checkout, when present


def meta_facts(raw: dict) -> dict:
    """What the transformers path reports: count, embedding split, class, shapes, tie."""
    cfg = build_config(raw)
    total, embedding, name = count_with_transformers(raw, cfg)
    return {
        "params_total": total,
        "params_embedding": embedding,
        "architecture": name,
        "tie_word_embeddings": bool(
            raw.get("tie_word_embeddings", getattr(cfg, "tie_word_embeddings", False))
        ),
        **shape_facts(raw, cfg),
    }


def assert_closed_form_exact(raw: dict) -> None:
    arch = architecture_from_config(raw)
    assert arch.params_method == METHOD_CLOSED_FORM
    fast = arch.as_dict()
    slow = meta_facts(raw)
    assert {k: fast[k] for k in slow} == slow


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_every_shipped_config_closed_form_equals_meta_build(path: Path) -> None:
    raw = read_config_json(path)
    if raw["model_type"] not in FAMILIES:
        assert raw["model_type"] == "t5"  # the one shipped type left to transformers
        return
    assert_closed_form_exact(raw)


def test_shipped_configs_found() -> None:
    """Guard against the parametrisation above going empty."""
    assert len(SHIPPED) >= 30
    assert {read_config_json(p)["model_type"] for p in SHIPPED} - set(FAMILIES) == {"t5"}


# a vocabulary above every class's default pad token id (Phi-3: 32000), which must fit in it
CORE = {"hidden_size": 64, "num_attention_heads": 4, "num_hidden_layers": 2, "vocab_size": 51200}


def variants() -> list[tuple[str, dict]]:
    """Tiny configs that set, leave out, or null each field a family's form reads."""
    out: list[tuple[str, dict]] = []
    for mt, fam in FAMILIES.items():
        base = {"model_type": mt, **CORE}
        out.append((f"{mt}-class-defaults", base))  # every other field at its default
        for key, default in fam.defaults.items():
            if isinstance(default, bool) and key != "add_cross_attention":  # not covered
                out.append((f"{mt}-{key}-flipped", {**base, key: not default}))
        if "num_key_value_heads" in fam.defaults:
            out.append((f"{mt}-gqa", {**base, "num_key_value_heads": 2}))
        for key in sorted(fam.null_ok):
            out.append((f"{mt}-{key}-null", {**base, key: None}))
        if "head_dim" in fam.defaults:
            out.append((f"{mt}-head-dim-24", {**base, "head_dim": 24}))
        if "intermediate_size" in fam.defaults:
            out.append((f"{mt}-inter-80", {**base, "intermediate_size": 80}))
        for canonical, names in fam.aliases.items():
            for alias in names:
                spelled = {k: v for k, v in base.items() if k != canonical}
                spelled[alias] = base.get(canonical, 512)  # 512: positions, not in CORE
                out.append((f"{mt}-{alias}", spelled))
    out.append(("gpt2-n_inner", {"model_type": "gpt2", **CORE, "n_inner": 40}))
    out.append(("qwen2-head-dim", {"model_type": "qwen2", **CORE, "head_dim": 8}))
    out.append(("phi3-head-dim", {"model_type": "phi3", **CORE, "head_dim": 8}))
    out.append(
        (
            "llama-all-biases",
            {"model_type": "llama", **CORE, "attention_bias": True, "mlp_bias": True},
        )
    )
    return out


@pytest.mark.parametrize("raw", [v for _, v in variants()], ids=[n for n, _ in variants()])
def test_closed_form_equals_meta_build_for_each_option(raw: dict) -> None:
    assert family_count(raw) is not None
    assert_closed_form_exact(raw)


@pytest.mark.parametrize(
    "raw",
    [
        {"model_type": "gpt2", **CORE, "add_cross_attention": True},  # an option not covered
        {"model_type": "gemma2", **CORE, "head_dim": None},  # a null the class keeps
        {"model_type": "gpt2", **CORE, "n_embd": 32},  # two spellings that disagree
        {
            "model_type": "llama",
            "n_embd": 64,
            **{k: v for k, v in CORE.items() if k != "hidden_size"},
        },
    ],
    ids=["cross-attention", "null-head-dim", "conflicting-spellings", "ignored-spelling"],
)
def test_what_the_form_does_not_cover_goes_to_transformers(raw: dict) -> None:
    assert family_count(raw) is None


def test_a_closed_form_model_costs_no_torch_import(tmp_path: Path) -> None:
    """The point of the form: a metadata job for a known family never imports torch."""
    slug = "HuggingFaceTB--SmolLM-135M"
    code = f"""
import sys
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.model_metadata import model_record
row = model_record(ModelRef("HuggingFaceTB/SmolLM-135M", "{slug}"),
                   {json.dumps(str(ROOT / "resources/hub" / slug / "config.json"))})
assert row["params_method"][0] == "closed-form", row["params_method"][0]
print(sorted(m for m in ("torch", "transformers") if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
