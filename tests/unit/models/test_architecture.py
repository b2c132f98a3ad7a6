"""Parameter counts must equal transformers' own count, for every shipped config.

The closed form itself is checked field by field and option by option in test_closed_form.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import torch
from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForSeq2SeqLM

from lmfootprint.models.architecture import architecture_from_config
from lmfootprint.models.closed_form import FAMILIES, METHOD_CLOSED_FORM, generic_count
from lmfootprint.models.config_json import ConfigJsonError, read_config_json
from lmfootprint.models.meta_device import METHOD_TRANSFORMERS
from lmfootprint.present.text import human_params

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOT_CONFIGS = sorted((ROOT.parent / "shared" / "hub-snapshot").glob("*/config.json"))
SHIPPED_CONFIGS = sorted((ROOT / "resources" / "hub").glob("*/config.json"))


def reference_count(raw: dict) -> int:
    """Independent count: build the model the plain transformers way and sum parameters."""
    cfg = AutoConfig.for_model(**raw)
    with torch.device("meta"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for auto in (AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoModel):
            try:
                model = auto.from_config(cfg)
                break
            except ValueError:
                continue
    total = sum(p.numel() for p in model.parameters())
    # the file's own tie_word_embeddings decides whether the checkpoint has a separate head
    out, inp = model.get_output_embeddings(), model.get_input_embeddings()
    if raw.get("tie_word_embeddings") is False and out is not None and out.weight is inp.weight:
        total += out.weight.numel()
    return total


@pytest.mark.parametrize("path", SNAPSHOT_CONFIGS + SHIPPED_CONFIGS, ids=lambda p: p.parent.name)
def test_count_equals_transformers(path: Path) -> None:
    raw = read_config_json(path)
    arch = architecture_from_config(raw, str(path))
    known = raw["model_type"] in FAMILIES
    assert arch.params_method == (METHOD_CLOSED_FORM if known else METHOD_TRANSFORMERS)
    assert arch.params_total == reference_count(raw)
    assert arch.params_embedding + arch.params_non_embedding == arch.params_total


def test_shipped_snapshot_is_byte_copy_of_shared(shared_snapshot: Path) -> None:
    for src in shared_snapshot.glob("*/config.json"):
        shipped = ROOT / "resources" / "hub" / src.parent.name / "config.json"
        assert shipped.read_bytes() == src.read_bytes(), src.parent.name


@pytest.mark.parametrize(
    "slug",
    [
        p.parent.name
        for p in SHIPPED_CONFIGS
        if json.loads((p.parent / "source.json").read_text()).get("expected_params_total")
    ],
)
def test_architecture_records_match_published_counts(slug: str) -> None:
    """Records written from papers must give the counts their authors published."""
    source = json.loads((ROOT / "resources" / "hub" / slug / "source.json").read_text())
    arch = architecture_from_config(
        read_config_json(ROOT / "resources" / "hub" / slug / "config.json")
    )
    assert arch.params_total == source["expected_params_total"]


def test_flan_t5_untied_head_is_counted(shared_snapshot: Path) -> None:
    raw = read_config_json(shared_snapshot / "google--flan-t5-xxl" / "config.json")
    arch = architecture_from_config(raw)
    # shared embedding (tied across encoder/decoder) + separate lm_head, gated FFN
    assert arch.params_total == 11_135_332_352
    assert arch.tie_word_embeddings is False
    assert arch.is_encoder_decoder and arch.context_length is None


@pytest.mark.parametrize(
    "slug",
    [
        "EleutherAI--pythia-160m",
        "HuggingFaceTB--SmolLM-135M",
        "bigscience--bloomz-560m",
        "meta-llama--Llama-2-70b-hf",
        "Qwen--Qwen2.5-0.5B",
        "mistralai--Mistral-7B-v0.1",
        "openai--gpt-3",
        "microsoft--Phi-3-medium-4k-instruct",
        "bigcode--starcoder2-3b",
    ],
)
def test_generic_closed_form_matches_transformers(slug: str) -> None:
    """The generic form used for model types transformers does not know."""
    raw = read_config_json(ROOT / "resources" / "hub" / slug / "config.json")
    assert generic_count(raw)[0] == reference_count(raw)


def test_unknown_model_type_uses_labelled_closed_form() -> None:
    raw = json.loads(
        (ROOT / "resources" / "hub" / "meta-llama--Llama-2-7b-hf" / "config.json").read_text()
    )
    raw["model_type"] = "my_private_llama"
    raw["auto_map"] = {"AutoModelForCausalLM": "modeling_evil.Evil"}  # read as data only
    arch = architecture_from_config(raw)
    assert arch.params_method == METHOD_CLOSED_FORM
    assert arch.params_total == 6_738_415_616


def test_config_json_errors(tmp_path: Path) -> None:
    bad = tmp_path / "config.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigJsonError, match="not valid JSON"):
        read_config_json(bad)
    bad.write_text('{"hidden_size": 8}')
    with pytest.raises(ConfigJsonError, match="model_type"):
        read_config_json(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(ConfigJsonError, match="JSON object"):
        read_config_json(bad)
    with pytest.raises(ConfigJsonError, match="num_hidden_layers"):
        architecture_from_config(
            {"model_type": "my_thing", "hidden_size": 8, "num_attention_heads": 2, "vocab_size": 10}
        )


@pytest.mark.parametrize(
    "n,label",
    [
        (134_515_008, "134.5M"),
        (405_853_388_800, "405.9B"),
        (1_711_376_384, "1.711B"),
        (14_067_712, "14.07M"),
    ],
)
def test_human_params(n: int, label: str) -> None:
    assert human_params(n) == label


def test_dtype_names_are_torchs() -> None:
    """read_config_json checks dtype names without importing torch: its list is torch's."""
    from lmfootprint.models.config_json import TORCH_DTYPE_NAMES

    names = {n for n in dir(torch) if isinstance(getattr(torch, n, None), torch.dtype)}
    assert names <= TORCH_DTYPE_NAMES  # every name transformers accepts is accepted
    assert all(isinstance(getattr(torch, n, None), torch.dtype) for n in TORCH_DTYPE_NAMES)
