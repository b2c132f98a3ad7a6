"""Peer figures: EcoLogits' energy and GWP per 1,000 output tokens for the models of the report.

Calls EcoLogits' own impact function (``ecologits.impacts.llm.compute_llm_impacts``) with each
model's total parameter count as both active and total parameters (all models here are dense),
at the request latency given by EcoLogits' own latency model, for the world ("WOR"), US and
French electricity mixes, and writes ``resources/peers/ecologits.csv``. The method is written
up in ``resources/peers/ECOLOGITS.md``.

Not part of the package or the tests: it needs ``ecologits``, which the project does not
install. Run it from the repository root in a throwaway environment:

    python3.11 -m venv /tmp/eco && /tmp/eco/bin/pip install ecologits
    /tmp/eco/bin/python bench/ecologits_peer.py [--pue 1.2] [--output-tokens 1000] [--out PATH]

``--pue`` takes one value (default 1.2, EcoLogits' "openai" provider setting, the one the peer
notes quote) or a range such as ``1.09-1.14`` (its "huggingface_hub" setting); with a range
EcoLogits returns RangeValue min/max and the CSV carries them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import sys
from pathlib import Path

import ecologits
from ecologits.electricity_mix_repository import electricity_mixes
from ecologits.impacts import llm
from ecologits.utils.range_value import RangeValue

# (Hub id, total parameters in billions) as given by the report's model list
MODELS: list[tuple[str, float]] = [
    ("HuggingFaceTB/SmolLM-135M", 0.135),
    ("EleutherAI/pythia-160m", 0.162),
    ("HuggingFaceTB/SmolLM-360M", 0.362),
    ("HuggingFaceTB/SmolLM2-360M", 0.362),
    ("EleutherAI/pythia-410m", 0.405),
    ("Qwen/Qwen2.5-0.5B", 0.494),
    ("bigscience/bloomz-560m", 0.559),
    ("meta-llama/Llama-3.2-1B", 1.236),
    ("HuggingFaceTB/SmolLM-1.7B", 1.711),
    ("bigscience/bloomz-1b7", 1.722),
    ("google/gemma-2-2b", 2.614),
    ("bigcode/starcoder2-3b", 3.03),
    ("meta-llama/Llama-3.2-3B", 3.213),
    ("microsoft/Phi-3-mini-4k-instruct", 3.821),
    ("EleutherAI/pythia-6.9b", 6.857),
    ("meta-llama/Llama-2-7b-hf", 6.738),
    ("mistralai/Mistral-7B-v0.1", 7.242),
    ("Qwen/Qwen2.5-7B", 7.616),
    ("meta-llama/Meta-Llama-3-8B", 8.03),
    ("meta-llama/Llama-3.1-8B", 8.03),
    ("google/flan-t5-xxl", 11.1),
    ("meta-llama/Llama-2-13b-hf", 13.0),
    ("microsoft/Phi-3-medium-4k-instruct", 13.96),
    ("meta-llama/Llama-2-70b-hf", 68.98),
    ("meta-llama/Meta-Llama-3-70B", 70.55),
    ("meta-llama/Llama-3.1-70B", 70.55),
    ("Qwen/Qwen2.5-72B", 72.7),
    ("openai/gpt-3", 175.0),
    ("bigscience/bloom", 176.2),
    ("meta-llama/Llama-3.1-405B", 405.9),
]

ZONES = ("WOR", "USA", "FRA")

# J/token at PUE 1.2 quoted in the peer notes for EcoLogits 0.11.3; checked after each run
EXPECTED_J_PER_TOKEN = {
    "meta-llama/Llama-3.2-1B": 0.29,
    "meta-llama/Llama-3.2-3B": 0.30,
    "meta-llama/Llama-3.1-8B": 0.32,
    "meta-llama/Llama-3.1-70B": 2.38,
    "meta-llama/Llama-3.1-405B": 32.9,
}

# water usage effectiveness of the data centre: only EcoLogits' water figure uses it (not
# written here); 0.569 L/kWh is its "openai" provider setting, the one that goes with PUE 1.2
DATACENTER_WUE = 0.569

COLUMNS = [
    "model_id",
    "params_b",
    "output_tokens",
    "electricity_mix_zone",
    "energy_kwh_min",
    "energy_kwh_max",
    "j_per_token_min",
    "j_per_token_max",
    "j_per_token_mid",
    "gwp_kgco2e_min",
    "gwp_kgco2e_max",
    "usage_gwp_kgco2e_min",
    "usage_gwp_kgco2e_max",
    "embodied_gwp_kgco2e_min",
    "embodied_gwp_kgco2e_max",
    "pue",
    "batch_size",
    "ecologits_version",
    "method",
    "computed_on",
]


def bounds(value: float | RangeValue) -> tuple[float, float]:
    """(min, max) of an EcoLogits value, a plain number giving the same number twice."""
    if isinstance(value, RangeValue):
        return float(value.min), float(value.max)
    return float(value), float(value)


def parse_pue(text: str) -> float | RangeValue:
    if "-" in text:
        lo, hi = (float(part) for part in text.split("-", 1))
        return RangeValue(min=lo, max=hi)
    return float(text)


def method_line(pue: str) -> str:
    return (
        f"EcoLogits {ecologits.__version__} compute_llm_impacts, dense (active = total = P, "
        "billions); E_kWh = PUE*(n_gpu*T*(a*exp(b*B)*P + g)/1000 "
        "+ T*lat*W_srv*(n_gpu/n_srv)/B/3600) with a=1.1665e-06 b=-0.011206 g=4.0529e-05 "
        "Wh/token, B=64, W_srv=1.2 kW, n_srv=8, lat=min(request latency, "
        "6.785e-04*P + 3.119e-04*B + 1.947e-02 s/token) [modelled], "
        "n_gpu=2^ceil(log2(ceil(1.2*P*16/8/80 GB))), "
        f"PUE={pue}; usage GWP = E*mix; embodied = lat*T*(n_gpu/8*5700 + n_gpu*273 kgCO2e)"
        "/(3 y*B)"
    )


def modelled_latency(params_b: float, output_tokens: int) -> tuple[float, int]:
    """EcoLogits' own generation latency (s) and GPU count for a request it is not told the
    latency of: the DAG run with an unbounded request latency."""
    mix = electricity_mixes.find_electricity_mix("WOR")
    assert mix is not None
    dag = llm.compute_llm_impacts_dag(
        model_active_parameter_count=params_b,
        model_total_parameter_count=params_b,
        output_token_count=output_tokens,
        request_latency=math.inf,
        if_electricity_mix_adpe=mix.adpe,
        if_electricity_mix_pe=mix.pe,
        if_electricity_mix_gwp=mix.gwp,
        if_electricity_mix_wue=mix.wue,
        datacenter_pue=1.0,
        datacenter_wue=DATACENTER_WUE,
    )
    return float(dag["generation_latency"]), int(dag["gpu_required_count"])


def fmt(x: float) -> str:
    return f"{x:.6g}"


def rows(pue: float | RangeValue, pue_text: str, output_tokens: int) -> list[dict[str, str]]:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    method = method_line(pue_text)
    out = []
    for model_id, params_b in MODELS:
        latency, _ = modelled_latency(params_b, output_tokens)
        for zone in ZONES:
            mix = electricity_mixes.find_electricity_mix(zone)
            if mix is None:
                raise SystemExit(f"EcoLogits {ecologits.__version__} has no mix for {zone}")
            impacts = llm.compute_llm_impacts(
                model_active_parameter_count=params_b,
                model_total_parameter_count=params_b,
                output_token_count=output_tokens,
                request_latency=latency,
                if_electricity_mix_adpe=mix.adpe,
                if_electricity_mix_pe=mix.pe,
                if_electricity_mix_gwp=mix.gwp,
                if_electricity_mix_wue=mix.wue,
                datacenter_pue=pue,
                datacenter_wue=DATACENTER_WUE,
            )
            e_min, e_max = bounds(impacts.energy.value)
            j_min, j_max = (e * 3.6e6 / output_tokens for e in (e_min, e_max))
            g_min, g_max = bounds(impacts.gwp.value)
            u_min, u_max = bounds(impacts.usage.gwp.value)
            m_min, m_max = bounds(impacts.embodied.gwp.value)
            out.append(
                {
                    "model_id": model_id,
                    "params_b": f"{params_b:g}",
                    "output_tokens": str(output_tokens),
                    "electricity_mix_zone": zone,
                    "energy_kwh_min": fmt(e_min),
                    "energy_kwh_max": fmt(e_max),
                    "j_per_token_min": fmt(j_min),
                    "j_per_token_max": fmt(j_max),
                    "j_per_token_mid": fmt(math.sqrt(j_min * j_max)),
                    "gwp_kgco2e_min": fmt(g_min),
                    "gwp_kgco2e_max": fmt(g_max),
                    "usage_gwp_kgco2e_min": fmt(u_min),
                    "usage_gwp_kgco2e_max": fmt(u_max),
                    "embodied_gwp_kgco2e_min": fmt(m_min),
                    "embodied_gwp_kgco2e_max": fmt(m_max),
                    "pue": pue_text,
                    "batch_size": str(llm.BATCH_SIZE),
                    "ecologits_version": ecologits.__version__,
                    "method": method,
                    "computed_on": today,
                }
            )
    return out


def check(table: list[dict[str, str]], pue: float | RangeValue) -> bool:
    """Compare with the J/token the peer notes quote (PUE 1.2); True when all are within 2 %."""
    if pue != 1.2:
        print("check skipped: the quoted values are at PUE 1.2")
        return True
    ok = True
    for row in table:
        expected = EXPECTED_J_PER_TOKEN.get(row["model_id"])
        if expected is None or row["electricity_mix_zone"] != "WOR":
            continue
        got = float(row["j_per_token_mid"])
        good = abs(got / expected - 1) <= 0.02
        ok &= good
        verdict = "ok" if good else "OFF"
        print(f"{row['model_id']:28s} {got:8.3f} J/token (quoted {expected}) {verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pue", default="1.2", help="PUE, one value or MIN-MAX")
    parser.add_argument("--output-tokens", type=int, default=1000)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "resources" / "peers" / "ecologits.csv",
    )
    args = parser.parse_args(argv)
    pue = parse_pue(args.pue)
    table = rows(pue, args.pue, args.output_tokens)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(table)
    print(f"wrote {len(table)} rows to {args.out} (EcoLogits {ecologits.__version__})")
    return 0 if check(table, pue) else 1


if __name__ == "__main__":
    sys.exit(main())
