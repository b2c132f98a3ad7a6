"""lmfootprint: measured energy, carbon and cost of small vs large language models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lmfootprint")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+source"
