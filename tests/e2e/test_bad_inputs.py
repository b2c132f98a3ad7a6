"""Bad inputs across the stages, each against a finished run: one clear error that names the
file, key or column and the bad value, and nothing already computed lost or half-written.

Every case copies one finished workdir, breaks one input, re-runs `snakemake` as a user would,
and checks: the exit status, the message, that every result file either is byte-identical to
before or is an output of the job that failed on the bad input (and then absent, never
half-written), that no temporary file is left behind, and that every parquet still reads.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pytest
import yaml
from workflow_runner import ROOT, TINY_BENCH, make_workdir, write_config

pytestmark = pytest.mark.e2e

BASE = {
    "models": ["EleutherAI/pythia-14m", "meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf"],
    "benchmark": TINY_BENCH,
    "scenarios": yaml.safe_load((ROOT / "config/config.yaml").read_text())["scenarios"],
}
# the failed benchmark_model job's output, beside the failed metadata job's row
PYTHIA_BENCH_ROW = "results/benchmarks/EleutherAI--pythia-14m/model.parquet"
PYTHIA = "resources/hub/EleutherAI--pythia-14m/config.json"


@dataclass
class Case:
    name: str
    breaks: Callable[[Path], None]
    message: str  # a regex the output must contain
    rebuilt: set[str] = field(default_factory=set)  # outputs of the job that fails
    corrupts: str = ""  # a result file the case itself breaks (left as the user broke it)


def config(change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(wd: Path) -> None:
        cfg = yaml.safe_load((wd / "config/config.yaml").read_text())
        change(cfg)
        write_config(wd, cfg)

    return apply


def raw_config(text: str) -> Callable[[Path], None]:
    return lambda wd: (wd / "config/config.yaml").write_text(text)


def csv_edit(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(wd: Path) -> None:
        path = wd / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def drop_column(rel: str, column: str) -> Callable[[Path], None]:
    def apply(wd: Path) -> None:
        df = pl.read_csv(wd / rel, infer_schema=False)
        df.drop(column).write_csv(wd / rel)

    return apply


def json_edit(rel: str, change: Callable[[dict], None]) -> Callable[[Path], None]:
    def apply(wd: Path) -> None:
        data = json.loads((wd / rel).read_text())
        change(data)
        (wd / rel).write_text(json.dumps(data))

    return apply


def truncate(rel: str) -> Callable[[Path], None]:
    def apply(wd: Path) -> None:
        data = (wd / rel).read_bytes()
        (wd / rel).write_bytes(data[: len(data) // 2])

    return apply


def setitem(path: list[str], value) -> Callable[[dict], None]:
    def change(cfg: dict) -> None:
        node = cfg
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value

    return change


SCENARIO = "scenarios.parquet"
CASES = [
    # --- config: caught before any job runs
    Case("yaml syntax", raw_config("models: [a/b\nonline: false\n"), r"config\.yaml.*line \d+"),
    Case("unknown key", config(setitem(["benchmarks"], {})), r"benchmarks"),
    Case("unknown nested key", config(setitem(["memory", "ctx"], 4)), r"memory.*ctx"),
    Case("wrong type", config(setitem(["slm_max_params"], "big")), r"slm_max_params.*'big'"),
    Case("negative size", config(setitem(["memory", "context_tokens"], -5)), r"context_tokens.*-5"),
    Case("empty model list", config(setitem(["models"], [])), r"models"),
    Case("dotdot id", config(setitem(["models"], ["../../etc/passwd"])), r"\.\./\.\./etc/passwd"),
    Case("absolute path", config(setitem(["models"], ["/etc/passwd"])), r"/etc/passwd"),
    Case(
        "script in id",
        config(setitem(["models"], ["acme/</script><script>alert(1)"])),
        r"acme/</script><script>alert\(1\)",
    ),
    Case("bad device", config(setitem(["benchmark", "devices"], ["gpu0"])), r"devices.*gpu0"),
    Case("mfu above one", config(setitem(["footprint", "mfu"], [0.3, 1.5])), r"mfu.*1\.5"),
    Case(
        "scenario hardware",
        config(setitem(["scenarios", "cloud-h100-us-east-1", "hardware"], "H999")),
        r"H999",
        {f"results/{SCENARIO}"},
    ),
    Case(
        "scenario tariff",
        config(setitem(["scenarios", "local-laptop-france", "tariff", "geo"], "XX")),
        r"geo='XX'",
        {f"results/{SCENARIO}"},
    ),
    Case(
        "rent vs buy tariff",
        config(setitem(["footprint", "rent_vs_buy", "tariff", "geo"], "ZZ")),
        r"geo='ZZ'",
        {"results/rent_vs_buy.parquet", "results/rent_vs_buy_curves.parquet"},
    ),
    Case(
        "PUE outside its range",
        config(setitem(["footprint", "pue"], 1.5)),
        r"footprint\.pue 1\.5 must lie within footprint\.pue_range",
        {
            "results/training_estimates.parquet",
            "results/training_calibration.parquet",
            "results/training_calibration.json",
        },
    ),
    # --- model metadata
    Case(
        "config.json not JSON",
        lambda wd: (wd / PYTHIA).write_text("{not json"),
        r"pythia-14m.*config\.json",
        {"results/models/EleutherAI--pythia-14m.parquet", PYTHIA_BENCH_ROW},
    ),
    Case(
        "config.json missing fields",
        json_edit(PYTHIA, lambda d: [d.pop(k) for k in ("hidden_size", "num_hidden_layers")]),
        r"pythia-14m.*missing required fields: hidden_size.*num_hidden_layers",
        {"results/models/EleutherAI--pythia-14m.parquet", PYTHIA_BENCH_ROW},
    ),
    Case(
        "absurd size",
        json_edit(PYTHIA, lambda d: d.update(hidden_size=-128)),
        r"hidden_size|-128",
        {"results/models/EleutherAI--pythia-14m.parquet", PYTHIA_BENCH_ROW},
    ),
    # --- intermediate tables
    Case(
        "truncated model table",
        truncate("results/models/EleutherAI--pythia-14m.parquet"),
        r"results/models/EleutherAI--pythia-14m\.parquet: cannot read parquet",
        {
            "results/models.parquet",
            "results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.parquet",
            "results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.raw.parquet",
            "results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.hardware.json",
        },
        corrupts="results/models/EleutherAI--pythia-14m.parquet",
    ),
    Case(
        "truncated benchmark table",
        truncate("results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.parquet"),
        r"tiny\.parquet: cannot read parquet",
        # both readers of the table fail: the aggregate and the CodeCarbon-format file beside it
        {
            "results/inference.parquet",
            "results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.emissions.csv",
        },
        corrupts="results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.parquet",
    ),
    # --- reference snapshots
    Case(
        "hardware column missing",
        drop_column("resources/hardware.csv", "tdp_w"),
        r"hardware\.csv.*tdp_w",
        {"results/hardware.parquet", "results/gpu_prices.parquet"},
    ),
    Case(
        "hardware negative TDP",
        csv_edit("resources/hardware.csv", ",3350,700,", ",3350,-700,"),
        r"tdp_w.*-700",
        {"results/hardware.parquet", "results/gpu_prices.parquet"},
    ),
    Case(
        "price negative",
        csv_edit("resources/gpu_prices.csv", ",21.957642,USD,", ",-21.957642,USD,"),
        r"-21\.957642|price",
        {"results/gpu_prices.parquet"},
    ),
    Case(
        "price column missing",
        drop_column("resources/gpu_prices.csv", "effective_date"),
        r"gpu_prices\.csv.*effective_date",
        {"results/gpu_prices.parquet"},
    ),
    Case(
        "unmapped SKU",
        csv_edit("resources/gpu_skus.csv", "Standard_ND96asr_v4,", "Standard_ND96asr_v9,"),
        r"Standard_ND96asr_v4",
        {"results/gpu_prices.parquet"},
    ),
    Case(
        "grid intensity absurd",
        csv_edit(
            "resources/carbon/owid_grapher_2024.csv",
            "France,FRA,2024,40.48",
            "France,FRA,2024,9040.48",
        ),
        r"gco2e_per_kwh.*9040\.48",
        {"results/carbon_intensity.parquet"},
    ),
    Case(
        "grid column missing",
        drop_column("resources/carbon/owid_grapher_2024.csv", "Code"),
        r"owid_grapher_2024\.csv.*Code",
        {"results/carbon_intensity.parquet"},
    ),
    Case(
        "tariff negative",
        csv_edit("resources/tariffs/tariffs.csv", ",EUR,0.2561,", ",EUR,-0.2561,"),
        r"price_per_kwh.*-0\.2561",
        {"results/tariffs.parquet"},
    ),
    Case(
        "FX rate missing",
        lambda wd: (wd / "resources/tariffs/fx_rates.csv").write_text(
            "period,currency,usd_per_unit,source\n2024,USD,1.0,identity\n"
        ),
        r"no exchange rate for currency 'EUR'",
        {"results/tariffs.parquet"},
    ),
    Case(
        "published training power",
        csv_edit(
            "resources/published_training.csv", "A100-80GB,184320,400,", "A100-80GB,184320,4,"
        ),
        r"gpu_power_w.*\b4\b",
        {"results/training.parquet", "results/training_estimates.parquet"},
    ),
    Case(
        "peer measurement negative",
        csv_edit(
            "resources/inference/mlenergy_v3.csv", ",1.3662634337367148,", ",-1.3662634337367148,"
        ),
        r"j_per_token.*-1\.366",
        {
            "results/inference_fit.json",
            "results/inference_fit_cv.parquet",
            "results/inference_fit_errors.parquet",
        },
    ),
    Case(
        "peer measurement column missing",
        drop_column("resources/inference/mlenergy_v3.csv", "avg_batch_size"),
        r"mlenergy_v3\.csv.*avg_batch_size",
        {
            "results/inference_fit.json",
            "results/inference_fit_cv.parquet",
            "results/inference_fit_errors.parquet",
        },
    ),
    Case(
        "API price without a source",
        csv_edit(
            "resources/prices/api_prices.csv",
            ",https://github.com/RoCry/llm-api-price/",
            ",/RoCry/llm-api-price/",
        ),
        r"api_prices\.csv.*source_url",
        {"results/comparison/cost_vs_market.parquet"},
    ),
    Case(
        "training tokens without a source",
        csv_edit(
            "resources/training/training_tokens.csv",
            "https://arxiv.org/abs/2307.09288",
            "",
        ),
        r"training_tokens\.csv.*published_rows_have_count_and_source",
        {
            "results/training_estimates.parquet",
            "results/training_calibration.parquet",
            "results/training_calibration.json",
        },
    ),
    Case(
        "distillation row without its quote",
        csv_edit(
            "resources/training/distillation.csv",
            '"We also train the 2B and 9B models with knowledge distillation (Hinton et al., 2015)'
            ' instead of next token prediction."',
            '""',
        ),
        r"distillation\.csv.*\n.*column 'quote'",
        {
            "results/training_estimates.parquet",
            "results/training_calibration.parquet",
            "results/training_calibration.json",
        },
    ),
]


def _digest(workdir: Path) -> dict[str, str]:
    return {
        str(p.relative_to(workdir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((workdir / "results").rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    wd = make_workdir(tmp_path_factory.mktemp("finished"))
    write_config(wd, BASE)
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"], cwd=wd, check=True, capture_output=True
    )
    return wd, _digest(wd)


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_fails_clearly_and_loses_nothing(
    case: Case, finished: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    base, before = finished
    wd = tmp_path / "run"
    shutil.copytree(base, wd, symlinks=True)  # copy2 keeps mtimes: nothing is out of date
    case.breaks(wd)
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=wd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert re.search(case.message, out, re.S), out[-3000:]
    assert "Traceback (most recent call last)" not in out.split("Error", 1)[0]
    after = _digest(wd)
    for rel, digest in before.items():
        if rel == case.corrupts:
            continue
        if rel.startswith("results/raw/") and "/shipped/" in rel:
            continue  # copies of the shipped snapshot, re-copied as broken: manifests checked below
        if rel in case.rebuilt:  # the failed job's output: gone (incomplete) or untouched
            assert after.get(rel) in (None, digest), f"{rel} half-written"
            continue
        assert after.get(rel) == digest, f"{rel} was lost or changed"
    for manifest in (wd / "results/raw").glob("*/shipped/manifest.json"):
        for f in json.loads(manifest.read_text())["files"]:  # each copy whole, as listed
            copy = (manifest.parent / f["path"]).read_bytes()
            assert hashlib.sha256(copy).hexdigest() == f["sha256"], f["path"]
    leftovers = [p for p in (wd / "results").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    for p in (wd / "results").rglob("*.parquet"):
        if str(p.relative_to(wd)) != case.corrupts:
            pl.read_parquet(p)  # every table left there reads
