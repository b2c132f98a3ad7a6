"""A bad config.json is one clear message naming the file, the field and the value: never a
traceback from transformers, an overflow, a recursion error or a machine out of memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import TINY_LLAMA

from lmfootprint.core.ids import ModelRef
from lmfootprint.core.limits import MAX_CONFIG_BYTES, MAX_JSON_DEPTH, MAX_PARAMS
from lmfootprint.models.config_json import ConfigJsonError
from lmfootprint.models.model_metadata import model_record

ROOT = Path(__file__).resolve().parents[3]
TINY = dict(TINY_LLAMA)


def write_config(folder: Path, raw: dict | None = None, text: str | bytes | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text if text is not None else json.dumps(raw))
    return path


def metadata_error(path: Path) -> str:
    """The message the metadata stage gives for this config.json (it must give one)."""
    ref = ModelRef(str(path.parent), "local--bad", path.parent)
    with pytest.raises(ConfigJsonError) as err:
        model_record(ref, path)
    return str(err.value)


@pytest.mark.parametrize(
    "field,value,shown,why",
    [
        ("hidden_size", 10**12, "1000000000000", "at most 2,147,483,648"),
        ("hidden_size", 1e12, "1000000000000.0", "whole number"),
        ("hidden_size", True, "true", "whole number"),
        ("intermediate_size", -5, "-5", "at least 1"),
        ("num_key_value_heads", -2, "-2", "at least 1"),
        ("vocab_size", "32000", '"32000"', "whole number"),
        ("num_hidden_layers", 0, "0", "at least 1"),
        ("tie_word_embeddings", "false", '"false"', "true or false"),
    ],
)
def test_bad_shape_names_file_field_and_value(
    tmp_path: Path, field: str, value: object, shown: str, why: str
) -> None:
    path = write_config(tmp_path / "m", {**TINY, field: value})
    text = metadata_error(path)
    assert text.startswith(str(path))
    assert f"field '{field}' = {shown}: expected" in text and why in text
    assert "\n" not in text  # one line


def test_a_bad_shape_in_a_transformers_family_is_refused_before_the_build(tmp_path: Path) -> None:
    """T5 is counted by building it: the bound must come first (today: an overflow inside torch)."""
    raw = json.loads((ROOT / "resources/hub/google--flan-t5-xxl/config.json").read_text())
    path = write_config(tmp_path / "t5", {**raw, "d_ff": -1})
    assert "field 'd_ff' = -1: expected at least 1" in metadata_error(path)


def test_a_nested_sub_config_is_checked_too(tmp_path: Path) -> None:
    raw = {**TINY, "text_config": {"hidden_size": 2**40}}
    text = metadata_error(write_config(tmp_path / "m", raw))
    assert "field 'text_config.hidden_size' = 1099511627776" in text


def test_a_billion_layers_is_refused_at_once(tmp_path: Path) -> None:
    """The reported case: the job grew to 7 GB, then MemoryError. Run in a child capped at
    1 GB and 60 s, so that code without the bound fails this test instead of the machine."""
    path = write_config(tmp_path / "tiny", {**TINY, "num_hidden_layers": 1_000_000_000})
    code = f"""
import resource
resource.setrlimit(resource.RLIMIT_DATA, (1 << 30, resource.getrlimit(resource.RLIMIT_DATA)[1]))
from pathlib import Path
from lmfootprint.core.ids import ModelRef
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.models.model_metadata import model_record
path = Path({str(path)!r})
try:
    model_record(ModelRef("tiny", "local--tiny", path.parent), path)
except LmFootprintError as exc:
    print(exc)
"""
    start = time.perf_counter()
    out = run_child(code, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith(str(path))
    assert "field 'num_hidden_layers' = 1000000000: expected at most 10,000" in out.stdout
    assert time.perf_counter() - start < 30


def test_shapes_each_sane_but_too_many_parameters_together(tmp_path: Path) -> None:
    raw = {**TINY, "hidden_size": 2**20, "num_attention_heads": 8, "num_hidden_layers": 500}
    text = metadata_error(write_config(tmp_path / "m", raw))
    assert f"more than the {MAX_PARAMS:.0e}" in text
    assert "field 'hidden_size' = 1,048,576 is 51x the largest published (20,480)" in text


def test_a_large_binary_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "m" / "config.json"
    path.parent.mkdir()
    with path.open("wb") as fh:  # 50 MB, mostly a sparse hole, binary at the start
        fh.write(bytes(range(256)) * 64)
        fh.truncate(50 * 1024 * 1024)
    text = metadata_error(path)
    assert text.startswith(str(path)) and "52,428,800 bytes" in text
    assert f"{MAX_CONFIG_BYTES:,}" in text


def test_a_small_binary_file_names_the_byte(tmp_path: Path) -> None:
    path = write_config(tmp_path / "m", text=b'{"model_type": "llama", \xff\xfe}')
    text = metadata_error(path)
    assert text.startswith(str(path))
    assert "not UTF-8 text (byte 0xff at offset 24)" in text


@pytest.mark.parametrize("depth", [200_000, MAX_JSON_DEPTH + 5])
def test_deep_nesting_names_the_field(tmp_path: Path, depth: int) -> None:
    text = '{"model_type": "llama", "rope_scaling": ' + "[" * depth + "]" * depth + "}"
    path = write_config(tmp_path / "m", text=text)
    message = metadata_error(path)
    assert message.startswith(str(path))
    assert "field 'rope_scaling" in message
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in message


def test_an_integer_of_five_thousand_digits(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "m", text='{"model_type": "llama", "hidden_size": ' + "9" * 5000 + "}"
    )
    assert metadata_error(path).startswith(f"{path}: not valid JSON")


def test_a_missing_model_type_shows_what_was_there(tmp_path: Path) -> None:
    path = write_config(tmp_path / "m", {**TINY, "model_type": 7})
    assert metadata_error(path) == f"{path}: missing required field 'model_type' (got 7)"


# -- the job's memory cap -----------------------------------------------------------------


def run_child(code: str, timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_a_runaway_inside_the_memory_limit_is_one_message() -> None:
    """Whatever slips past the bounds: the cap from the rule's mem_mb ends it with a message."""
    code = """
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.limits import memory_limit
try:
    with memory_limit(300, "model local--huge", rule="model_metadata"):
        grown = []
        while True:
            grown.append(bytearray(50 * 1024 * 1024))
except LmFootprintError as exc:
    print(exc)
ok = bytearray(500 * 1024 * 1024)  # the limit is lifted after the block
print("after", len(ok))
"""
    out = run_child(code, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    first, after = out.stdout.strip().splitlines()
    assert first.startswith("model local--huge: ran out of memory at the job's limit of mem_mb=300")
    assert "--set-resources model_metadata:mem_mb=" in first
    assert after == f"after {500 * 1024 * 1024}"


def test_no_memory_limit_when_mem_mb_is_unset() -> None:
    from lmfootprint.core.limits import memory_limit

    with memory_limit(None, "x"):
        data = bytearray(10 * 1024 * 1024)
    assert len(data) == 10 * 1024 * 1024


@pytest.mark.parametrize(
    "field,value,hint",
    [
        ("torch_dtype", "bf16", 'write "bfloat16"'),
        ("torch_dtype", "FP16", 'write "float16"'),
        ("dtype", "auto", '"bfloat16", "float16", "float32"'),
        ("torch_dtype", 16, "expected a torch dtype name"),
    ],
)
def test_a_dtype_transformers_does_not_accept_is_named(
    tmp_path: Path, field: str, value, hint: str
) -> None:
    path = write_config(tmp_path / "m", {**TINY, field: value})
    message = metadata_error(path)
    assert message.startswith(f"{path}: field '{field}' = {json.dumps(value)}")
    assert "not a dtype name transformers accepts" in message or "expected" in message
    assert hint in message


def test_a_dtype_in_a_sub_config_is_named_with_its_path(tmp_path: Path) -> None:
    raw = {**TINY, "text_config": {"torch_dtype": "bf16"}, "vocab": {"dtype": 7}}
    message = metadata_error(write_config(tmp_path / "m", raw))
    assert "field 'text_config.torch_dtype' = \"bf16\"" in message and "vocab" not in message


@pytest.mark.parametrize("value", ["bfloat16", "float16", "float32", "float", "half", None])
def test_the_dtype_names_transformers_accepts_pass(tmp_path: Path, value) -> None:
    path = write_config(tmp_path / "m", {**TINY, "torch_dtype": value})
    ref = ModelRef(str(path.parent), "local--ok", path.parent)
    assert model_record(ref, path).height == 1


def test_the_benchmark_names_a_bad_dtype_instead_of_a_torch_traceback(tmp_path: Path) -> None:
    """The benchmark builds the model from config.json: before the fix transformers raised
    AttributeError: module 'torch' has no attribute 'bf16'."""
    from lmfootprint.benchmark.transformers_backend import load_model

    path = write_config(tmp_path / "m", {**TINY, "torch_dtype": "bf16"})
    with pytest.raises(ConfigJsonError, match=r"field 'torch_dtype' = \"bf16\".*bfloat16"):
        load_model(path, None, "fp32", "cpu", 0)
    (tmp_path / "m" / "model.safetensors").write_bytes(b"")  # the real-weights path too
    with pytest.raises(ConfigJsonError, match=r"field 'torch_dtype' = \"bf16\""):
        load_model(path, tmp_path / "m", "fp32", "cpu", 0)
