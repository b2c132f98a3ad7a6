"""The real huggingface_hub client against a local Hub speaking the real protocol."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import polars as pl
import pytest
from fakehub import FakeHub

from lmfootprint.core.ids import parse_model_entry
from lmfootprint.models.hub import HubFetchError, fetch_model, fetch_or_fallback, refresh_pins
from lmfootprint.models.model_metadata import model_record

ROOT = Path(__file__).resolve().parents[3]
HUB = ROOT / "resources" / "hub"
SMOL = "HuggingFaceTB/SmolLM-135M"
SMOL_DIR = HUB / "HuggingFaceTB--SmolLM-135M"
FAST = {"attempts": 2, "backoff_s": 0.0, "timeout_s": 5.0}


@pytest.fixture
def hub():
    with FakeHub() as server:
        server.add_from_dir(
            SMOL,
            SMOL_DIR,
            info={
                "safetensors": {"parameters": {"BF16": 134_515_008}, "total": 134_515_008},
                "cardData": {
                    "license": "apache-2.0",
                    "co2_eq_emissions": {
                        "emissions": 1_000_000,
                        "source": "codecarbon",
                        "training_type": "pre-training",
                    },
                },
            },
        )
        yield server


def test_happy_path(hub: FakeHub, tmp_path: Path) -> None:
    facts = fetch_model(SMOL, revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)
    assert (tmp_path / "config.json").read_bytes() == (SMOL_DIR / "config.json").read_bytes()
    assert facts["sha"] == hub.repos[SMOL].sha
    assert facts["safetensors_total"] == 134_515_008
    assert facts["license"] == "apache-2.0"
    assert facts["co2_emissions"] == 1_000_000.0 and facts["co2_source"] == "codecarbon"
    assert json.loads((tmp_path / "info.json").read_text())["sha"] == facts["sha"]
    # config.json was fetched at the resolved commit, not at a moving branch
    assert f"GET /{SMOL}/resolve/{facts['sha']}/config.json" in hub.requests


def test_pinned_revision_survives_a_moved_hub(hub: FakeHub, tmp_path: Path) -> None:
    old = hub.repos[SMOL].sha
    new = hub.move(SMOL, {"config.json": b'{"model_type": "llama", "moved": true}'})
    pinned = fetch_model(SMOL, revision=old, endpoint=hub.url, out_dir=tmp_path / "a", **FAST)
    assert pinned["sha"] == old
    assert (tmp_path / "a/config.json").read_bytes() == (SMOL_DIR / "config.json").read_bytes()
    latest = fetch_model(SMOL, revision=None, endpoint=hub.url, out_dir=tmp_path / "b", **FAST)
    assert latest["sha"] == new


def test_refresh_reports_and_writes_only_moved_models(hub: FakeHub, tmp_path: Path) -> None:
    hub.add_from_dir("EleutherAI/pythia-14m", HUB / "EleutherAI--pythia-14m")
    resources = tmp_path / "hub"
    for slug in ("HuggingFaceTB--SmolLM-135M", "EleutherAI--pythia-14m"):
        (resources / slug).mkdir(parents=True)
        (resources / slug / "config.json").write_bytes((HUB / slug / "config.json").read_bytes())
    sha = hub.repos["EleutherAI/pythia-14m"].sha
    (resources / "EleutherAI--pythia-14m/source.json").write_text(json.dumps({"revision": sha}))
    models = [
        (SMOL, "HuggingFaceTB--SmolLM-135M"),
        ("EleutherAI/pythia-14m", "EleutherAI--pythia-14m"),
    ]
    report = refresh_pins(models, resources_hub=resources, endpoint=hub.url, write_snapshot=True)
    assert report["EleutherAI/pythia-14m"]["changed"] is False
    assert report[SMOL]["changed"] is True and report[SMOL]["pinned"] is None
    source = json.loads((resources / "HuggingFaceTB--SmolLM-135M/source.json").read_text())
    assert source["revision"] == hub.repos[SMOL].sha and source["kind"] == "hub-config"
    assert json.loads((resources / "HuggingFaceTB--SmolLM-135M/card.json").read_text())["license"]


@pytest.mark.parametrize(
    "behaviour,reason",
    [
        ("gated", "gated repository"),
        ("500", "HTTP 500"),
        ("badjson", "invalid JSON"),
    ],
)
def test_failures_name_model_and_reason(hub: FakeHub, tmp_path: Path, behaviour, reason) -> None:
    hub.add_from_dir("acme/broken", SMOL_DIR, behaviour=behaviour)
    with pytest.raises(HubFetchError) as err:
        fetch_model("acme/broken", revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)
    assert str(err.value).startswith("acme/broken: ") and reason in str(err.value)
    assert not (tmp_path / "config.json").exists()  # nothing half-written


def test_500_is_retried_then_fails(hub: FakeHub, tmp_path: Path) -> None:
    repo = hub.add_from_dir("acme/down", SMOL_DIR, behaviour="500")
    with pytest.raises(HubFetchError, match="HTTP 500"):
        fetch_model(
            "acme/down",
            revision=None,
            endpoint=hub.url,
            out_dir=tmp_path,
            attempts=3,
            backoff_s=0.0,
        )
    assert repo.calls == 3


def test_missing_repo_and_missing_file(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(HubFetchError, match="acme/nothing: repository not found"):
        fetch_model("acme/nothing", revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)
    hub.add("acme/no-config", {"README.md": b"# hi"})
    with pytest.raises(HubFetchError, match="acme/no-config: file not found"):
        fetch_model("acme/no-config", revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)


def test_429_honours_retry_after_then_succeeds(hub: FakeHub, tmp_path: Path) -> None:
    repo = hub.add_from_dir("acme/busy", SMOL_DIR, behaviour="429x2")
    t0 = time.monotonic()
    facts = fetch_model(
        "acme/busy", revision=None, endpoint=hub.url, out_dir=tmp_path, attempts=4, backoff_s=0.0
    )
    assert facts["sha"] == repo.sha
    assert time.monotonic() - t0 >= 2.0  # two waits of Retry-After: 1 s, despite backoff 0
    assert repo.calls >= 3


def test_slow_response_times_out(hub: FakeHub, tmp_path: Path) -> None:
    hub.add_from_dir("acme/slow", SMOL_DIR, behaviour="slow")
    hub.slow_seconds = 2.0
    with pytest.raises(HubFetchError, match="acme/slow: model info timed out"):
        fetch_model(
            "acme/slow",
            revision=None,
            endpoint=hub.url,
            out_dir=tmp_path,
            attempts=1,
            timeout_s=0.3,
        )


def test_fallback_to_snapshot_is_labelled(hub: FakeHub, tmp_path: Path) -> None:
    hub.add_from_dir(SMOL, SMOL_DIR, behaviour="500")
    with pytest.raises(HubFetchError, match="fallback_to_snapshot"):
        fetch_or_fallback(
            SMOL,
            revision=None,
            endpoint=hub.url,
            out_dir=tmp_path / "x",
            snapshot_dir=SMOL_DIR,
            fallback=False,
            **FAST,
        )
    info = fetch_or_fallback(
        SMOL,
        revision=None,
        endpoint=hub.url,
        out_dir=tmp_path,
        snapshot_dir=SMOL_DIR,
        fallback=True,
        **FAST,
    )
    assert info["fallback_reason"] == "HTTP 500"
    row = model_record(
        parse_model_entry(SMOL, ROOT),
        tmp_path / "config.json",
        source_path=SMOL_DIR / "source.json",
        hub_info_path=tmp_path / "info.json",
    ).row(0, named=True)
    assert row["config_source"] == "snapshot-fallback"
    assert row["metadata_source"] == "snapshot 2026-11-23 (Hub failed: HTTP 500)"


def test_safetensors_disagreement_is_kept_and_flagged(hub: FakeHub, tmp_path: Path) -> None:
    hub.add_from_dir(
        "acme/quant",
        SMOL_DIR,
        info={
            "safetensors": {
                "parameters": {"BF16": 28_311_552, "U8": 53_101_728},
                "total": 81_413_280,
            }
        },
    )
    fetch_model("acme/quant", revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)
    row = model_record(
        parse_model_entry("acme/quant", ROOT),
        tmp_path / "config.json",
        hub_info_path=tmp_path / "info.json",
    ).row(0, named=True)
    assert row["params_total"] == 134_515_008 and row["params_safetensors"] == 81_413_280
    assert "differs from the config.json count" in row["params_flag"]
    assert row["metadata_source"].startswith("hub ") and row["config_source"] == "hub"


def test_token_is_sent_but_never_written(hub: FakeHub, tmp_path: Path, monkeypatch) -> None:
    secret = "hf_SECRETtokenNEVERlogged0123456789"
    monkeypatch.setenv("HF_TOKEN", secret)
    log_file = tmp_path / "job.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)  # setLevel also clears the loggers' cached levels
    try:
        fetch_model(SMOL, revision=None, endpoint=hub.url, out_dir=tmp_path / "ok", **FAST)
        hub.add_from_dir("acme/gated", SMOL_DIR, behaviour="gated")
        with pytest.raises(HubFetchError) as err:
            fetch_model(
                "acme/gated", revision=None, endpoint=hub.url, out_dir=tmp_path / "g", **FAST
            )
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        handler.close()
    assert f"Bearer {secret}" in hub.auth_headers  # the standard token location was used
    assert "gated repository" in str(err.value) and secret not in str(err.value)
    assert log_file.read_text() and secret not in log_file.read_text()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="replace")


def test_card_text_with_script_is_data(hub: FakeHub, tmp_path: Path) -> None:
    evil = "</script><script>alert(1)</script>"
    hub.add_from_dir(
        "acme/evil",
        SMOL_DIR,
        info={"cardData": {"license": evil, "co2_eq_emissions": {"emissions": 5, "source": evil}}},
    )
    facts = fetch_model("acme/evil", revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)
    assert facts["license"] == evil and facts["co2_source"] == evil
    row = model_record(
        parse_model_entry("acme/evil", ROOT),
        tmp_path / "config.json",
        hub_info_path=tmp_path / "info.json",
    )
    from lmfootprint.benchmark.benchmark_inference import inference_table
    from lmfootprint.estimates.training_footprint import load_published, recompute_training
    from lmfootprint.present.report import render_report

    training = recompute_training(load_published(ROOT / "resources/published_training.csv"), row)
    html = render_report(
        tables={"models": row, "training": training, "inference": inference_table([])},
        figures={},
        template_path=ROOT / "src/lmfootprint/present/templates/report.html.j2",
        title="t",
    )
    assert evil not in html and "&lt;/script&gt;&lt;script&gt;alert(1)" in html
    assert isinstance(row, pl.DataFrame)


# -- faults and bad inputs, third round ------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_half_a_file_then_silence_keeps_one_stated_deadline(hub: FakeHub, tmp_path: Path) -> None:
    """Before: huggingface_hub's own resumes nested inside our attempts, and a read timeout
    bounded each read, not the request (270 s and 72 lines for timeout_s 10, attempts 4; 130 s
    here)."""
    hub.add_from_dir("acme/stall", SMOL_DIR, behaviour="halfstall")
    hub.stall_seconds = 20.0
    records = _Records()
    logging.getLogger().addHandler(records)
    t0 = time.monotonic()
    try:
        with pytest.raises(HubFetchError) as err:
            fetch_model(
                "acme/stall",
                revision=None,
                endpoint=hub.url,
                out_dir=tmp_path,
                timeout_s=1.0,
                attempts=4,
                backoff_s=0.0,
            )
    finally:
        logging.getLogger().removeHandler(records)
    took = time.monotonic() - t0
    message = str(err.value)
    assert took < 2.5, f"took {took:.1f} s"
    assert message.startswith(
        "acme/stall: config.json timed out: no complete answer within hub.timeout_s = 1 s, "
        "what one request may take in all (attempts, retry waits and body, wall-clock); gave "
        "up after 1 attempt of 4 (no time left for another)"
    ), message
    assert not [line for line in records.lines if "timed out" in line or "retrying" in line]
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_retries_and_their_waits_stay_within_the_deadline(hub: FakeHub, tmp_path: Path) -> None:
    repo = hub.add_from_dir("acme/down", SMOL_DIR, behaviour="500")
    records = _Records()
    logging.getLogger().addHandler(records)
    t0 = time.monotonic()
    try:
        with pytest.raises(HubFetchError) as err:
            fetch_model(
                "acme/down",
                revision=None,
                endpoint=hub.url,
                out_dir=tmp_path,
                timeout_s=1.5,
                attempts=4,
                backoff_s=1.0,
            )
    finally:
        logging.getLogger().removeHandler(records)
    assert time.monotonic() - t0 < 1.5  # waits 1 s, then the 2 s wait would pass the deadline
    assert repo.calls == 2 and str(err.value) == "acme/down: HTTP 500"
    assert len(records.lines) == 1 and "of the 1.5 s this request may take" in records.lines[0]


@pytest.mark.parametrize("token", [None, "hf_wrongTOKENwrongTOKEN0123456789"])
def test_a_plain_401_says_what_to_do_about_the_token(
    hub: FakeHub, tmp_path: Path, monkeypatch, token
) -> None:
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    if token:
        monkeypatch.setenv("HF_TOKEN", token)
    hub.add_from_dir("acme/private", SMOL_DIR, behaviour="401")
    with pytest.raises(HubFetchError) as err:
        fetch_model("acme/private", revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)
    message = str(err.value)
    assert message.startswith("acme/private: HTTP 401") and "HF_TOKEN" in message
    assert ("was refused" in message) == bool(token) and ("no token was sent" in message) != bool(
        token
    )
    assert not token or token not in message


def test_a_file_of_another_commit_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    repo = hub.add_from_dir("acme/moved", SMOL_DIR, behaviour="othercommit")
    with pytest.raises(HubFetchError) as err:
        fetch_model("acme/moved", revision=repo.sha, endpoint=hub.url, out_dir=tmp_path, **FAST)
    assert str(err.value) == (
        f"acme/moved: config.json: the Hub served commit {'e' * 40} (X-Repo-Commit), not the "
        f"pinned {repo.sha}; refused, nothing written"
    )
    assert not list(tmp_path.iterdir())


def test_model_info_of_another_commit_than_the_pin_is_refused(hub: FakeHub, tmp_path: Path) -> None:
    repo = hub.add_from_dir("acme/drift", SMOL_DIR, behaviour="othersha")
    with pytest.raises(HubFetchError, match=f"commit {'f' * 40} for the pinned commit {repo.sha}"):
        fetch_model("acme/drift", revision=repo.sha, endpoint=hub.url, out_dir=tmp_path, **FAST)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "behaviour,said",
    [
        ("huge", "config.json is 200,000,000 bytes (Content-Length), more than the 4,194,304"),
        (
            "hugechunked",
            "config.json is more than the 4,194,304 bytes it may have; download stopped",
        ),
    ],
)
def test_a_huge_config_is_refused_before_it_is_downloaded(
    hub: FakeHub, tmp_path: Path, behaviour: str, said: str
) -> None:
    hub.add_from_dir("acme/huge", SMOL_DIR, behaviour=behaviour)
    with pytest.raises(HubFetchError) as err:
        fetch_model("acme/huge", revision=None, endpoint=hub.url, out_dir=tmp_path, **FAST)
    assert str(err.value).startswith(f"acme/huge: {said}")
    assert hub.bytes_sent < 40_000_000  # the server stopped sending long before 200 MB
    assert not list(tmp_path.iterdir())
