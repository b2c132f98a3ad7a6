"""A benchmark device as a value: what kind it is, which dtypes it runs, which meters read it.

Device names come from the config ('cpu', 'cuda', 'cuda:1', 'mps'); every decision that
depends on the kind (which meter, where peak memory is read, whether a GPU must be found)
asks this value once instead of testing the string in each module.
"""

from __future__ import annotations

from dataclasses import dataclass

from lmfootprint.core.errors import LmFootprintError

# dtypes each kind runs natively; the transformers backend uses the device's configured one
_DTYPES = {
    "cpu": ("fp32", "bf16"),
    "cuda": ("bf16", "fp16", "fp32"),
    "mps": ("fp16", "fp32"),
}
# the meters that can read each kind, best first (benchmark/meters.py builds them)
_METERS = {
    "cpu": ("zeus", "rapl", "estimate"),
    "cuda": ("zeus", "nvml"),
    "mps": ("zeus", "estimate"),
}


class DeviceNameError(LmFootprintError, ValueError):
    """A device name that is not 'cpu', 'mps', 'cuda' or 'cuda:N'."""


@dataclass(frozen=True)
class Device:
    """One benchmark device: ``kind`` is 'cpu', 'cuda' or 'mps'; ``index`` the GPU's ordinal."""

    name: str
    kind: str
    index: int = 0

    @classmethod
    def parse(cls, name: str) -> Device:
        kind, _, index = name.partition(":")
        if kind not in _DTYPES or (index and (kind != "cuda" or not index.isdigit())):
            raise DeviceNameError(
                f"device {name!r}: expected 'cpu', 'mps', 'cuda' or 'cuda:N' (N a GPU index)"
            )
        return cls(name=name, kind=kind, index=int(index or 0))

    @property
    def is_gpu(self) -> bool:
        """A discrete accelerator found by index (NVML or ROCm), with its own memory."""
        return self.kind == "cuda"

    @property
    def dtypes(self) -> tuple[str, ...]:
        return _DTYPES[self.kind]

    @property
    def meters(self) -> tuple[str, ...]:
        return _METERS[self.kind]

    def __str__(self) -> str:
        return self.name
