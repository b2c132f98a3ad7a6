"""What hardware is present: CPU model and cores, RAM, GPUs (NVIDIA through NVML, AMD through
ROCm's torch), as a typed ``Machine``.

A benchmark job detects the machine it holds itself (``detect``), never trusting a record
written by another job, which may have run on another node without GPU access. The
detect_hardware rule still writes results/hardware/{device}.json: a description of the host
that ran the workflow, not evidence that a benchmark node has the device.
"""

from __future__ import annotations

import json
import os
import platform
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from lmfootprint.benchmark.device import Device
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.io import write_json


class MachineRecordError(LmFootprintError):
    """results/hardware/{device}.json is missing, not JSON, or has a bad field."""


class DeviceMissingError(LmFootprintError):
    """A configured benchmark device is absent on the node that runs the benchmark job."""


@dataclass(frozen=True)
class Gpu:
    index: int
    name: str
    memory_gb: float
    power_limit_w: float | None
    driver: str


@dataclass(frozen=True)
class Machine:
    """One benchmark device ('cpu' or 'cuda:N') and its host, as a benchmark job needs them."""

    device: str
    cpu_model: str
    cpu_logical_cores: int
    cpu_physical_cores: int
    ram_gb: float
    os: str
    rapl_readable: bool
    gpu: Gpu | None
    available: bool
    hardware: str
    unavailable_reason: str | None = None

    @property
    def target(self) -> Device:
        """The benchmark device as a value (its kind, dtypes and meters)."""
        return Device.parse(self.device)

    def usable_memory_gb(self) -> float:
        """What a model may fill: the GPU's memory, or the RAM free right now on a CPU."""
        if self.gpu is not None:
            return self.gpu.memory_gb
        return psutil.virtual_memory().available / 1e9

    def to_dict(self) -> dict[str, Any]:
        """The JSON record; unavailable_reason appears only for a device that is absent."""
        out = asdict(self)
        if self.unavailable_reason is None:
            del out["unavailable_reason"]
        return out

    def to_json(self, path: str | Path) -> None:
        write_json(self.to_dict(), path)

    @classmethod
    def from_dict(cls, data: Any, source: str = "hardware record") -> Machine:
        """Every field checked for presence and type; the message names the file and field."""
        if not isinstance(data, dict):
            raise MachineRecordError(f"{source}: expected a JSON object, got {type(data).__name__}")
        values = _checked(data, _MACHINE_FIELDS, source, optional={"unavailable_reason"})
        if values["gpu"] is not None:
            values["gpu"] = Gpu(**_checked(values["gpu"], _GPU_FIELDS, f"{source}: gpu"))
        if not values["available"] and not values.get("unavailable_reason"):
            raise MachineRecordError(
                f"{source}: field 'unavailable_reason' is required when 'available' is false"
            )
        return cls(**values)

    @classmethod
    def from_json(cls, path: str | Path) -> Machine:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise MachineRecordError(
                f"{path}: file not found (the detect_hardware rule writes it)"
            ) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MachineRecordError(
                f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})"
            ) from exc
        return cls.from_dict(data, source=str(path))


# field -> (accepted JSON types, may be null); bool is kept apart from int and float
_MACHINE_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "device": ((str,), False),
    "cpu_model": ((str,), False),
    "cpu_logical_cores": ((int,), False),
    "cpu_physical_cores": ((int,), False),
    "ram_gb": ((int, float), False),
    "os": ((str,), False),
    "rapl_readable": ((bool,), False),
    "gpu": ((dict,), True),
    "available": ((bool,), False),
    "hardware": ((str,), False),
    "unavailable_reason": ((str,), True),
}
_GPU_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "index": ((int,), False),
    "name": ((str,), False),
    "memory_gb": ((int, float), False),
    "power_limit_w": ((int, float), True),
    "driver": ((str,), False),
}
_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false"}


def _checked(
    data: dict[str, Any],
    spec: dict[str, tuple[tuple[type, ...], bool]],
    source: str,
    optional: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    unknown = sorted(set(data) - set(spec))
    if unknown:
        raise MachineRecordError(f"{source}: unknown field(s) {unknown}; known: {sorted(spec)}")
    out: dict[str, Any] = {}
    for name, (types, nullable) in spec.items():
        if name not in data:
            if name in optional:
                continue
            raise MachineRecordError(f"{source}: missing field {name!r}")
        value = data[name]
        if value is None and nullable:
            out[name] = None
            continue
        is_bool = isinstance(value, bool)
        if (is_bool and bool not in types) or not isinstance(value, types):
            wanted = (
                "a number"
                if types == (int, float)
                else " or ".join(_TYPE_NAMES.get(t, "an object") for t in types)
            )
            wanted += " or null" if nullable else ""
            raise MachineRecordError(f"{source}: field {name!r} must be {wanted}, got {value!r}")
        if types == (int, float) and not is_bool:
            value = float(value)
        out[name] = value
    return out


def cpu_model() -> str:
    """The CPU's marketing name as the kernel reports it (no external tool needed)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        match = re.search(r"^model name\s*:\s*(.+)$", text, flags=re.M)
        if match:
            return match.group(1).strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def nvml_index(cuda_index: int) -> int:
    """NVML's index of the GPU that CUDA calls ``cuda_index``: NVML ignores
    CUDA_VISIBLE_DEVICES (Slurm sets it to the GPUs it granted), CUDA renumbers from 0."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    if not visible:
        return cuda_index
    ids = [v.strip() for v in visible.split(",") if v.strip()]
    if cuda_index >= len(ids):
        return len(ids) + cuda_index  # not visible: an index NVML does not list either
    if ids[cuda_index].isdigit():
        return int(ids[cuda_index])
    return _nvml_index_of_uuid(ids[cuda_index])


def _nvml_index_of_uuid(uuid: str) -> int:
    import pynvml

    pynvml.nvmlInit()
    try:
        return pynvml.nvmlDeviceGetIndex(pynvml.nvmlDeviceGetHandleByUUID(uuid))
    finally:
        pynvml.nvmlShutdown()


def nvidia_gpus() -> list[Gpu]:
    """One record per NVIDIA GPU NVML lists, or [] when NVML (nvidia-ml-py + driver) is absent.
    ``index`` is NVML's; ``nvidia_gpu`` maps a CUDA index to it."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return []
    try:
        driver = pynvml.nvmlSystemGetDriverVersion()
        gpus = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            h = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(h)
            try:
                limit_w = pynvml.nvmlDeviceGetEnforcedPowerLimit(h) / 1000
            except pynvml.NVMLError:
                limit_w = None
            gpus.append(
                Gpu(
                    index=i,
                    name=name.decode() if isinstance(name, bytes) else name,
                    memory_gb=pynvml.nvmlDeviceGetMemoryInfo(h).total / 1e9,
                    power_limit_w=limit_w,
                    driver=driver.decode() if isinstance(driver, bytes) else driver,
                )
            )
        return gpus
    finally:
        pynvml.nvmlShutdown()


def rocm_gpu(index: int) -> Gpu | None:
    """An AMD GPU through ROCm's torch (which calls it cuda:N too), or None. Its power limit
    comes from Zeus (amdsmi) when installed."""
    try:
        import torch
    except ImportError:
        return None
    if not getattr(torch.version, "hip", None) or index >= torch.cuda.device_count():
        return None
    props = torch.cuda.get_device_properties(index)
    limit_w = None
    try:
        from zeus.device import get_gpus

        limit_w = get_gpus().get_power_management_limit(index) / 1000
    except Exception:  # noqa: BLE001 - the limit is optional: without it the TDP check is off
        pass
    return Gpu(index, props.name, props.total_memory / 1e9, limit_w, f"ROCm {torch.version.hip}")


def find_gpu(cuda_index: int) -> tuple[Gpu | None, str | None]:
    """The GPU that ``cuda:<cuda_index>`` names on this node, or why there is none."""
    gpus = nvidia_gpus()
    index = nvml_index(cuda_index)
    if 0 <= index < len(gpus):
        return gpus[index], None
    amd = rocm_gpu(cuda_index)
    if amd is not None:
        return amd, None
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    where = f", CUDA_VISIBLE_DEVICES={visible!r}" if visible is not None else ""
    return None, (
        f"no GPU cuda:{cuda_index} on {platform.node() or 'this node'} "
        f"(NVML sees {len(gpus)} NVIDIA GPU(s), ROCm none{where})"
    )


def detect(device: str) -> Machine:
    """The record of one benchmark device ('cpu' or 'cuda:N') and the host it is on."""
    cpu = cpu_model()
    logical = psutil.cpu_count(logical=True) or 1
    gpu, reason = None, None
    target = Device.parse(device)
    if target.is_gpu:
        gpu, reason = find_gpu(target.index)
    elif target.kind == "mps":
        reason = apple_gpu_reason()
    return Machine(
        device=device,
        cpu_model=cpu,
        cpu_logical_cores=logical,
        cpu_physical_cores=psutil.cpu_count(logical=False) or 1,
        ram_gb=psutil.virtual_memory().total / 1e9,
        os=f"{platform.system()} {platform.release()}",
        rapl_readable=any(
            os.access(p, os.R_OK)
            for p in Path("/sys/class/powercap").glob("intel-rapl:*/energy_uj")
        )
        if Path("/sys/class/powercap").is_dir()
        else False,
        gpu=gpu,
        available=reason is None,
        hardware=hardware_label(cpu, logical, gpu, metal=target.kind == "mps"),
        unavailable_reason=reason,
    )


def hardware_label(cpu: str, logical_cores: int, gpu: Gpu | None, *, metal: bool = False) -> str:
    if gpu is not None:
        return f"{gpu.name} (GPU {gpu.index})"
    if metal:
        return f"{cpu} GPU (Metal)"
    return f"{cpu} ({logical_cores} threads)"


def apple_gpu_reason(system: str | None = None, machine: str | None = None) -> str | None:
    """Why there is no Apple silicon GPU (the ``mps`` device) here, or None: Metal runs on
    macOS on arm64 only."""
    system, machine = system or platform.system(), machine or platform.machine()
    if system == "Darwin" and machine == "arm64":
        return None
    return (
        f"no Apple silicon GPU (mps) on {platform.node() or 'this node'}: {system} {machine}; "
        "mps needs macOS on Apple silicon"
    )
