"""Discovery: huggingface_hub's real list_models against a local Hub that pages its listing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakehub import FakeHub

from lmfootprint.core.config import apply_defaults, check_config, load_schema
from lmfootprint.models.hub_query import (
    list_query,
    pin,
    refresh,
    snapshot_rows,
    write_snapshot,
)
from lmfootprint.models.pins import HubQueryError, included, pinned_models, read_snapshot

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")
CONFIG = b'{"model_type": "gpt_neox", "hidden_size": 128}'
WHEN = "2026-01-02T03:04:05Z"


def query(**block) -> dict:
    """A hub_query block as the workflow sees it: checked and filled from the schema."""
    cfg = {"models": ["EleutherAI/pythia-14m"], "hub_query": {"name": "q", **block}}
    check_config(cfg, SCHEMA)
    apply_defaults(cfg, SCHEMA)
    return cfg["hub_query"]


def model(hub: FakeHub, repo_id: str, downloads: int, files: dict | None = None, **info):
    return hub.add(
        repo_id,
        {"config.json": CONFIG, "README.md": b"# card\n"} if files is None else files,
        info={"downloads": downloads, **info},
    )


@pytest.fixture
def hub():
    with FakeHub() as server:
        server.page_size = 2  # 9 models: 5 pages, so paging has to be followed
        model(server, "acme/classifier", 5000, pipeline_tag="text-classification")
        model(
            server, "acme/alpha", 900, safetensors={"parameters": {"BF16": 10**8}, "total": 10**8}
        )
        model(server, "other/gamma", 850)
        model(server, "acme/beta", 800)
        model(server, "acme/gated", 700, gated="manual")
        model(
            server,
            "acme/tiny-gguf",
            600,
            {"model.gguf": b"GGUF"},
            library_name="gguf",
            tags=["gguf"],
        )
        model(server, "acme/no-config", 500, {"README.md": b"# card\n"})
        model(server, "acme/delta", 400)
        model(server, "acme/low", 10)
        yield server


def listing_requests(hub: FakeHub) -> int:
    return sum(r == "GET /api/models" for r in hub.requests)


def ids(listed) -> list[str]:
    return [info.id for info in listed]


def test_paging_is_followed_and_filters_reach_the_hub(hub: FakeHub) -> None:
    listed = list_query(query(library=None), endpoint=hub.url)
    assert ids(listed) == [
        "acme/alpha",
        "other/gamma",
        "acme/beta",
        "acme/gated",
        "acme/tiny-gguf",
        "acme/no-config",
        "acme/delta",
        "acme/low",
    ]
    assert listing_requests(hub) == 4  # 8 matches, 2 a page: every Link was followed
    first = hub.listings[0]
    assert first["pipeline_tag"] == ["text-generation"] and first["sort"] == ["downloads"]
    assert first["limit"] == ["50"] and "filter" not in first
    assert {"sha", "gated", "library_name", "siblings", "downloads"} <= set(first["expand"])
    # the next pages carry the same query and the Hub's cursor
    assert all(q["pipeline_tag"] == ["text-generation"] and "cursor" in q for q in hub.listings[1:])

    hub.listings.clear()
    listed = list_query(
        query(library="transformers", search="a", num_parameters="max:1B"), endpoint=hub.url
    )
    assert hub.listings[0]["filter"] == ["transformers"]
    assert hub.listings[0]["search"] == ["a"] and hub.listings[0]["num_parameters"] == ["max:1B"]
    assert ids(listed) == ["acme/alpha"]  # the only one with a parameter count in range


def test_limit_stops_the_paging(hub: FakeHub) -> None:
    listed = list_query(query(library=None, limit=3), endpoint=hub.url)
    assert ids(listed) == ["acme/alpha", "other/gamma", "acme/beta"]
    assert listing_requests(hub) == 2  # pages 3 to 5 are never requested
    assert hub.listings[0]["limit"] == ["3"]


def test_min_downloads_is_applied_while_listing(hub: FakeHub) -> None:
    listed = list_query(query(library=None, min_downloads=650), endpoint=hub.url)
    assert ids(listed) == ["acme/alpha", "other/gamma", "acme/beta", "acme/gated"]
    assert "limit" not in hub.listings[0]  # the Hub's limit would count the dropped ones
    assert listing_requests(hub) == 3  # sorted by downloads: stops at the first one below
    # another sort: the ones below are skipped, the limit counts the kept ones
    by_likes = query(library=None, min_downloads=650, sort="likes", limit=2)
    assert ids(list_query(by_likes, endpoint=hub.url)) == ["acme/alpha", "other/gamma"]


def test_authors_are_one_listing_each_merged_by_the_sort(hub: FakeHub) -> None:
    listed = list_query(query(library=None, authors=["acme", "other"], limit=3), endpoint=hub.url)
    assert ids(listed) == ["acme/alpha", "other/gamma", "acme/beta"]
    assert [q.get("author") for q in hub.listings if "cursor" not in q] == [["acme"], ["other"]]


def test_an_empty_listing_pins_nothing(hub: FakeHub) -> None:
    with pytest.raises(HubQueryError, match="lists no model"):
        list_query(query(authors=["nobody"]), endpoint=hub.url)


def test_snapshot_pins_shas_and_records_exclusions_with_reasons(
    hub: FakeHub, tmp_path: Path
) -> None:
    q = query(library=None)
    rows = snapshot_rows(list_query(q, endpoint=hub.url), q, endpoint=hub.url, retrieved_at=WHEN)
    path = tmp_path / "q.csv"
    write_snapshot(rows, path)
    back = {r["repo_id"]: r for r in read_snapshot(path)}
    assert back["acme/alpha"]["sha"] == hub.repos["acme/alpha"].sha
    assert back["acme/alpha"]["excluded_because"] == ""
    assert back["acme/alpha"]["downloads"] == "900" and back["acme/alpha"]["gated"] == "false"
    assert back["acme/gated"]["gated"] == "manual"
    assert "gated (manual approval)" in back["acme/gated"]["excluded_because"]
    assert back["acme/tiny-gguf"]["excluded_because"] == (
        "library gguf, not transformers; no config.json"
    )
    assert back["acme/no-config"]["excluded_because"] == "no config.json"
    assert back["acme/no-config"]["has_config_json"] == "false"
    # every row says what query made it, from where and when
    assert {r["retrieved_at"] for r in back.values()} == {WHEN}
    assert {r["source"] for r in back.values()} == {f"{hub.url}/api/models"}
    assert json.loads(back["acme/alpha"]["query"])["name"] == "q"
    assert included(back.values()) == [
        ("acme/alpha", hub.repos["acme/alpha"].sha),
        ("other/gamma", hub.repos["other/gamma"].sha),
        ("acme/beta", hub.repos["acme/beta"].sha),
        ("acme/delta", hub.repos["acme/delta"].sha),
        ("acme/low", hub.repos["acme/low"].sha),
    ]


def test_refresh_reports_what_joined_left_and_moved(hub: FakeHub, tmp_path: Path) -> None:
    q = query(min_downloads=100)
    pinned = tmp_path / "resources/hub_queries/q.csv"
    out = tmp_path / "results/hub_queries"
    first = refresh(
        q,
        endpoint=hub.url,
        previous_path=pinned,
        out_csv=out / "q.csv",
        out_changes=out / "q.changes.json",
    )
    assert first["previous"] is None
    assert first["joined"] == ["acme/alpha", "other/gamma", "acme/beta", "acme/delta"]
    assert pin(out / "q.csv", pinned) == 4
    # the Hub moves on: one repo goes, one comes, one is gated now, one has a new commit
    del hub.repos["acme/beta"]
    model(hub, "acme/newcomer", 950)
    hub.repos["acme/delta"].info["gated"] = "auto"
    new_sha = hub.move("acme/alpha", {"config.json": CONFIG.replace(b"128", b"256")})
    second = refresh(
        q,
        endpoint=hub.url,
        previous_path=pinned,
        out_csv=out / "q.csv",
        out_changes=out / "q.changes.json",
    )
    assert second["joined"] == ["acme/newcomer"]
    assert second["left"] == [
        {"repo_id": "acme/beta", "why": "no longer listed"},
        {
            "repo_id": "acme/delta",
            "why": "gated (auto approval): its licence must be accepted on the Hub",
        },
    ]
    assert second["moved"] == [
        {"repo_id": "acme/alpha", "from": first_sha(pinned, "acme/alpha"), "to": new_sha}
    ]
    assert second["previous_retrieved_at"] == first["retrieved_at"]
    assert json.loads((out / "q.changes.json").read_text())["joined"] == ["acme/newcomer"]
    # the pinned snapshot is untouched until it is pinned again
    assert [r for r, _ in included(read_snapshot(pinned))] == first["joined"]


def first_sha(path: Path, repo_id: str) -> str:
    return next(r["sha"] for r in read_snapshot(path) if r["repo_id"] == repo_id)


def test_runs_read_only_the_pinned_snapshot(hub: FakeHub, tmp_path: Path) -> None:
    q = query(library=None)
    path = tmp_path / "q.csv"
    with pytest.raises(HubQueryError, match="make discover") as missing:
        pinned_models(q, path, online=False)
    assert "does not exist" in str(missing.value)
    # online, a missing snapshot warns and adds nothing, so the refresh can run
    assert pinned_models(q, path, online=True)[0] == []
    write_snapshot(
        snapshot_rows(list_query(q, endpoint=hub.url), q, endpoint=hub.url, retrieved_at=WHEN), path
    )
    before = len(hub.requests)
    models, warning = pinned_models(q, path, online=False)
    assert warning is None and len(hub.requests) == before  # offline: no request
    assert [m for m, _ in models] == [
        "acme/alpha",
        "other/gamma",
        "acme/beta",
        "acme/delta",
        "acme/low",
    ]
    # a snapshot made for another query is stale: an error offline, a warning online
    other = query(library=None, limit=5)
    with pytest.raises(HubQueryError, match="made for another query"):
        pinned_models(other, path, online=False)
    models, warning = pinned_models(other, path, online=True)
    assert models == [] and "make discover" in warning


def test_a_broken_snapshot_is_named(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("repo_id,sha\nacme/alpha,abc\n")
    with pytest.raises(HubQueryError, match="missing columns"):
        read_snapshot(path)


# ------------------------------------------------------------------ through the workflow
def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HF_ENDPOINT"}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.e2e
def test_workflow_discover_pin_and_offline_use(tmp_path: Path) -> None:
    from workflow_runner import make_workdir, write_config

    workdir = make_workdir(tmp_path / "w")
    shipped = ROOT / "resources/hub"
    with FakeHub() as hub:
        hub.page_size = 1
        for repo_id, downloads in [("EleutherAI/pythia-160m", 90), ("EleutherAI/pythia-14m", 80)]:
            slug = repo_id.replace("/", "--")
            model(
                hub,
                repo_id,
                downloads,
                {"config.json": (shipped / slug / "config.json").read_bytes()},
            )
        model(hub, "EleutherAI/gated-one", 85, gated="manual")
        cfg = {
            "models": ["EleutherAI/pythia-160m"],
            "hub": {"endpoint": hub.url},
            "hub_query": {"name": "tiny", "authors": ["EleutherAI"], "limit": 3},
        }
        write_config(workdir, cfg)
        target = "results/models/EleutherAI--pythia-14m.parquet"

        # offline, before any discovery: one clear error naming the command
        proc = snakemake(workdir, "-n", target)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0 and "resources/hub_queries/tiny.csv" in out, out[-3000:]
        assert "make discover" in out

        proc = snakemake(
            workdir, "pin_hub_query", "--forcerun", "refresh_hub_query", "--config", "online=True"
        )
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    rows = {r["repo_id"]: r for r in read_snapshot(workdir / "resources/hub_queries/tiny.csv")}
    assert set(rows) == {"EleutherAI/pythia-160m", "EleutherAI/pythia-14m", "EleutherAI/gated-one"}
    assert rows["EleutherAI/gated-one"]["excluded_because"].startswith("gated")
    changes = json.loads((workdir / "results/hub_queries/tiny.changes.json").read_text())
    assert changes["joined"] == ["EleutherAI/pythia-160m", "EleutherAI/pythia-14m"]
    assert (
        "joined (no previous snapshot) (2)" in (workdir / "logs/refresh_hub_query.log").read_text()
    )

    # offline again, the Hub gone: the pinned models join the configured one
    proc = snakemake(workdir, "-n", target)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert "model_metadata" in proc.stdout + proc.stderr
    gated = snakemake(workdir, "-n", "results/models/EleutherAI--gated-one.parquet")
    assert gated.returncode != 0  # recorded, not added

    # a config asking for another query than the pinned one is stale
    write_config(workdir, {**cfg, "hub_query": {**cfg["hub_query"], "limit": 2}})
    proc = snakemake(workdir, "-n", target)
    assert proc.returncode != 0 and "made for another query" in proc.stdout + proc.stderr
