"""The Zeus meter path: Zeus's own replaying monitor and real Measurement objects, read through
the same code that reads a live ZeusMonitor (skipped when zeus is not installed)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

pytest.importorskip("zeus.monitor", reason="zeus is not installed (make install-gpu)")

from zeus.device.soc.apple import AppleSiliconMeasurement  # noqa: E402
from zeus.monitor import Measurement  # noqa: E402
from zeus.utils.testing import ReplayZeusMonitor  # noqa: E402

from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.harness import run_benchmark, summarise  # noqa: E402
from lmfootprint.benchmark.meters import (  # noqa: E402
    EstimateMeter,
    ZeusMeter,
    meter_for,
    rapl_package_domains,
    reading_from_measurement,
    zeus_meter,
)
from lmfootprint.benchmark.workload import Workload  # noqa: E402

PYTHIA = Path(__file__).resolve().parents[3] / "resources/hub/EleutherAI--pythia-14m/config.json"


def zeus_log(path: Path, windows: list[tuple[float, float]]) -> Path:
    """A log in ZeusMonitor's own log_file format (what a live monitor writes on a GPU):
    one line per ended window, elapsed seconds and GPU 0's joules."""
    lines = ["start_time,window_name,elapsed_time,gpu0_energy"]
    for i, (seconds, joules) in enumerate(windows, start=1):
        lines.append(f"{1000.0 + i},lmfootprint-{i},{seconds},{joules}")
    path.write_text("\n".join(lines) + "\n")
    return path


def replay(path: Path) -> ZeusMeter:
    monitor = ReplayZeusMonitor(gpu_indices=[0], log_file=path, ignore_sync_execution=True)
    return ZeusMeter(monitor, ("gpu",), "Zeus replay")


def test_replayed_windows_become_readings_in_order(tmp_path: Path) -> None:
    meter = replay(zeus_log(tmp_path / "zeus.csv", [(0.004, 0.0), (1.5, 412.5)]))
    assert meter.kind == "measured" and meter.domains == "gpu"
    meter.start()
    first = meter.stop()
    meter.start()
    second = meter.stop()
    assert (first.seconds, first.joules) == (0.004, 0.0)
    assert second.joules == pytest.approx(412.5) and second.by_domain == {"gpu": 412.5}
    meter.start()
    with pytest.raises(RuntimeError, match="No more lines"):  # Zeus's replay is exhausted
        meter.stop()


def test_harness_rows_are_the_replayed_zeus_windows(tmp_path: Path) -> None:
    """The metered loop with a real (tiny) model and Zeus's replaying monitor: the prefill and
    full windows of each repeat get the recorded readings, in the order they were metered."""
    from lmfootprint.benchmark.transformers_backend import TransformersGenerator, load_model

    net, _ = load_model(PYTHIA, None, "fp32", "cpu", seed=0)
    gen = TransformersGenerator(net, vocab_size=net.config.vocab_size, device="cpu", input_tokens=4)
    # (prefill, full) per repeat: a GPU drawing 200 W, with a prefill under NVML's update period
    # that Zeus approximated as power x time
    windows = []
    for full_s in (0.50, 0.52, 0.48):
        windows += [(0.01, 2.0), (full_s, 200.0 * full_s)]
    meter = replay(zeus_log(tmp_path / "zeus.csv", windows))
    workload = Workload("w", 4, 3, (1,), warmup=0, repeats=3)
    raw = pl.DataFrame(run_benchmark(gen, workload=workload, meter=meter))
    full = raw.filter(pl.col("phase") == "full")
    assert full["seconds"].to_list() == [0.50, 0.52, 0.48]
    assert full["gpu_j"].to_list() == pytest.approx([100.0, 104.0, 96.0])
    assert full["cpu_j"].null_count() == 3  # a domain not read stays null, never zero
    s = summarise(raw, output_tokens=3, idle_power_w=60.0).row(0, named=True)
    assert s["avg_power_w"] == pytest.approx(200.0)
    assert s["j_per_token"] == pytest.approx(100.0 / 3)
    assert s["prefill_energy_j"] == pytest.approx(2.0)


def test_measurement_domains_and_headline() -> None:
    m = Measurement(
        time=2.0,
        gpu_energy={0: 300.0},
        cpu_energy={0: 40.0, 1: 35.0},
        dram_energy={0: 5.0, 1: 4.0},
    )
    gpu = reading_from_measurement(m, ("gpu",))
    assert gpu.joules == 300.0 and gpu.seconds == 2.0
    assert gpu.by_domain == {"gpu": 300.0, "cpu": 75.0, "dram": 9.0}
    host = reading_from_measurement(m, ("cpu", "dram"))
    assert host.joules == pytest.approx(84.0)
    no_rapl = Measurement(time=1.0, gpu_energy={})
    with pytest.raises(RuntimeError, match="no cpu/dram energy"):
        reading_from_measurement(no_rapl, ("cpu", "dram"))


def test_apple_silicon_soc_fields_are_millijoules() -> None:
    soc = AppleSiliconMeasurement(cpu_total_mj=12_000, dram_mj=3_000, gpu_mj=45_000)
    m = Measurement(time=3.0, gpu_energy={}, soc_energy=soc)
    assert reading_from_measurement(m, ("cpu", "dram")).joules == pytest.approx(15.0)
    assert reading_from_measurement(m, ("gpu",)).joules == pytest.approx(45.0)


def test_without_anything_zeus_can_read_the_fallback_is_labelled() -> None:
    """On a machine with no GPU, no readable RAPL and no SoC (CI), Zeus offers nothing and the
    labelled estimate is used; where Zeus does read something, its meter names Zeus."""
    found = zeus_meter(Device.parse("cpu"))
    meter = meter_for(Device.parse("cpu"), cpu_tdp_w=10, tdp_source="t", ram_gb=1, ram_w_per_gb=0.1)
    if found is None and not rapl_package_domains():
        assert isinstance(meter, EstimateMeter) and meter.domains == "cpu+dram"
    elif found is not None:
        assert isinstance(meter, ZeusMeter) and meter.method.startswith("Zeus ")
    assert zeus_meter(Device.parse("cuda:99")) is None  # a GPU index no machine has
