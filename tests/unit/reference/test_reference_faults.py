"""Reference data faults and bad inputs: each is one clear error naming the file or source, the
field and the value, with nothing lost, half-written or leaked (credentials in URLs)."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import polars as pl
import pytest
from refservers import RefServer, azure_item, azure_route, jsonstat, serve_sources

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.http import FetchError, RetryPolicy, get, session
from lmfootprint.core.logs import log_to
from lmfootprint.core.redact import redact
from lmfootprint.reference import build, tariffs
from lmfootprint.reference import carbon_intensity as carbon
from lmfootprint.reference.coverage import CoverageLossError
from lmfootprint.reference.retrieve import retrieve_carbon, retrieve_prices
from lmfootprint.reference.snapshot import SnapshotFiles, write_snapshot

ROOT = Path(__file__).resolve().parents[3]
RES = ROOT / "resources"
SKUS = RES / "gpu_skus.csv"
HARDWARE = RES / "hardware.csv"
FX = RES / "tariffs/fx_rates.csv"
SHIPPED = SnapshotFiles(
    prices=RES / "gpu_prices.csv",
    countries=RES / "carbon/owid_grapher_2024.csv",
    google=RES / "carbon/google_region_2024.csv",
    tariffs=RES / "tariffs/tariffs.csv",
    stamp=RES / "reference_snapshot.json",
)


def _out(folder: Path) -> SnapshotFiles:
    return SnapshotFiles(
        prices=folder / "gpu_prices.csv",
        countries=folder / "carbon/owid_grapher_2024.csv",
        google=folder / "carbon/google_region_2024.csv",
        tariffs=folder / "tariffs/tariffs.csv",
        stamp=folder / "reference_snapshot.json",
    )


def _live_prices(tmp_path: Path, pages: list[list[dict]], endpoint: str | None = None):
    """Retrieve and build live prices with Azure serving ``pages`` (AWS as usual)."""
    with RefServer() as srv:
        endpoints = serve_sources(srv)
        srv.route("/api/retail/prices", azure_route(srv, pages))
        if endpoint:
            endpoints["azure"] = endpoint.format(url=srv.url)
        raw = tmp_path / "raw"
        retrieve_prices(
            skus_path=SKUS,
            azure_regions=["eastus"],
            aws_regions=["us-east-1"],
            endpoints=endpoints,
            azure_out=raw / "azure.json",
            aws_out=[raw / "aws_us-east-1.csv"],
            manifest=raw / "manifest.json",
        )
    table = build.gpu_prices_from_live(
        raw / "azure.json",
        [raw / "aws_us-east-1.csv"],
        raw / "manifest.json",
        skus_path=SKUS,
        hardware_path=HARDWARE,
        fx_path=FX,
    )
    return table, raw


def _shipped_tables(tmp_path: Path) -> dict[str, pl.DataFrame]:
    from test_reference import offline_tables

    return offline_tables(RES, tmp_path / "shipped")


# ---------------------------------------------------------------- 1. a refresh that loses data
@pytest.mark.parametrize(
    "items",
    [[], [azure_item("Standard_NC24ads_A100_v4", 0.0), azure_item("Standard_NC6s_v3", -1.0)]],
    ids=["no-items", "only-non-positive-prices"],
)
def test_refresh_that_loses_azure_fails_and_writes_nothing(tmp_path: Path, items) -> None:
    live, _ = _live_prices(tmp_path, [items])
    assert "azure" not in set(live["provider"])  # the build itself has nothing to refuse
    shipped = _shipped_tables(tmp_path)
    out = tmp_path / "refresh"
    with pytest.raises(CoverageLossError) as err:
        write_snapshot(
            prices_table=live,
            carbon_table=shipped["carbon"],
            tariffs_table=shipped["tariffs"],
            current=SHIPPED,
            out=_out(out),
            date="2030-01-01",
        )
    message = str(err.value)
    assert "resources/gpu_prices.csv: 13 of 29 (provider/region/sku/price_type)" in message
    assert "provider=azure (absent now): region=eastus sku=Standard_NC24ads_A100_v4" in message
    assert "reference.allow_coverage_loss: ['prices']" in message
    assert not out.exists()  # nothing half-written for `make refresh-reference` to copy
    # explicitly allowed: written, and rows no live source gives (GCP, AWS spot) are kept
    write_snapshot(
        prices_table=live,
        carbon_table=shipped["carbon"],
        tariffs_table=shipped["tariffs"],
        current=SHIPPED,
        out=_out(out),
        date="2030-01-01",
        allow_loss=["prices"],
    )
    written = pl.read_csv(out / "gpu_prices.csv", infer_schema=False)
    assert "azure" not in set(written["provider"])
    kept = written.filter(pl.col("provider") == "gcp").row(0, named=True)
    assert kept["sku"] == "a2-highgpu-1g" and kept["notes"]  # carried with its note
    assert written.filter(pl.col("price_type") == "spot").height == 4


def test_refresh_that_loses_a_country_or_tariff_fails(tmp_path: Path) -> None:
    shipped = _shipped_tables(tmp_path)
    no_fra = shipped["carbon"].filter(pl.col("country_iso3") != "FRA")
    no_us = shipped["tariffs"].filter(pl.col("geo") != "US")
    with pytest.raises(CoverageLossError) as err:
        write_snapshot(
            prices_table=shipped["prices"],
            carbon_table=no_fra,
            tariffs_table=no_us,
            current=SHIPPED,
            out=_out(tmp_path / "refresh"),
            date="2030-01-01",
        )
    message = str(err.value)
    assert "carbon/owid_grapher_2024.csv: 1 of 9 (Code)" in message
    assert "Code=FRA (absent now)" in message
    assert "tariffs/tariffs.csv: 3 of 13 (geo/consumer/band/tax_level)" in message
    assert "geo=US (absent now): consumer=household band=RES tax_level=I_TAX;" in message
    assert "reference.allow_coverage_loss: ['carbon', 'tariffs']" in message
    assert not (tmp_path / "refresh").exists()


# ---------------------------------------------------------------- 2. prices in EUR
def test_eur_prices_are_converted_at_the_dated_rate(tmp_path: Path) -> None:
    item = {**azure_item("Standard_ND96amsr_A100_v4", 30.0), "currencyCode": "EUR"}
    live, _ = _live_prices(tmp_path, [[item]])
    row = live.filter(pl.col("provider") == "azure").row(0, named=True)
    assert row["currency"] == "EUR" and row["instance_price_per_hour"] == 30.0  # as quoted
    assert row["price_per_gpu_hour"] == pytest.approx(30.0 * 1.0824 / 8)  # USD
    assert row["fx_period"] == "2024"  # the ECB 2024 rate, the newest up to 2025-10-01
    aws = live.filter(pl.col("provider") == "aws").row(0, named=True)
    assert aws["fx_period"] == "identity"


def test_price_in_a_currency_without_rate_is_refused(tmp_path: Path) -> None:
    item = {**azure_item("Standard_ND96amsr_A100_v4", 30.0), "currencyCode": "GBP"}
    with pytest.raises(LmFootprintError) as err:
        _live_prices(tmp_path, [[item]])
    message = str(err.value)
    assert (
        "currency 'GBP'" in message and "azure:eastus:Standard_ND96amsr_A100_v4 30.0 GBP" in message
    )
    assert "fx_rates.csv" in message


# ---------------------------------------------------------------- 3. tracebacks -> messages
@pytest.mark.parametrize(
    "body,expected",
    [
        (
            b"[]",
            r"eurostat_household.json \(Eurostat nrg_pc_204\): not a JSON-stat dataset: "
            r"the answer is a JSON list \(\[\]\)",
        ),
        (
            json.dumps(jsonstat({"DE": 0}, {"5": "n/a"})).encode(),
            r"eurostat_household.json \(Eurostat nrg_pc_204\): value\[5\] \(freq=S, .*"
            r"tax=I_TAX, currency=EUR, geo=DE, time=2025-S2\) is 'n/a', not a number",
        ),
        (json.dumps(jsonstat({"DE": 0}, {})).encode(), r"no observations \(empty 'value'\)"),
    ],
    ids=["list", "n/a", "no-values"],
)
def test_eurostat_bad_answers_are_clear_errors(tmp_path: Path, body: bytes, expected: str) -> None:
    raw = tmp_path / "eurostat_household.json"
    raw.write_bytes(body)
    with pytest.raises(LmFootprintError, match=expected):
        tariffs.parse_eurostat(raw, "household")


def test_empty_owid_body_is_a_clear_error(tmp_path: Path) -> None:
    with RefServer() as srv:
        endpoints = serve_sources(srv)
        srv.file("/owid.csv", b"")
        retrieve_carbon(
            endpoints=endpoints,
            google_year=2024,
            owid_out=tmp_path / "owid.csv",
            google_out=tmp_path / "google_2024.csv",
            manifest=tmp_path / "manifest.json",
        )
    with pytest.raises(
        LmFootprintError,
        match=r"owid.csv \(from http://127.0.0.1:\d+/owid.csv\): "
        "empty file, no header and no rows",
    ):
        build.carbon_from_live(
            tmp_path / "owid.csv",
            tmp_path / "google_2024.csv",
            tmp_path / "manifest.json",
            regions_path=RES / "carbon/cloud_regions.csv",
            google_year=2024,
        )
    header_only = tmp_path / "header.csv"
    header_only.write_text("Entity,Code,Year,Carbon intensity of electricity - gCO2/kWh\n")
    with pytest.raises(LmFootprintError, match="header.csv .*no country row"):
        carbon.parse_countries(header_only, source="s", source_version="v", retrieved_at="r")


# ---------------------------------------------------------------- 4. one deadline per request
def test_a_stalled_source_is_reported_at_its_deadline(tmp_path: Path) -> None:
    with RefServer() as srv:
        endpoints = serve_sources(srv)
        srv.stall("/owid.csv")
        t0 = time.monotonic()
        with pytest.raises(FetchError) as err:
            retrieve_carbon(
                endpoints=endpoints,
                google_year=2024,
                owid_out=tmp_path / "owid.csv",
                google_out=tmp_path / "google_2024.csv",
                manifest=tmp_path / "manifest.json",
                timeouts={"owid": 0.5},
            )
        elapsed = time.monotonic() - t0
    assert str(err.value) == (
        f"no answer from {endpoints['owid']} within 0.5 s (reference.timeout_s.owid)"
    )
    assert elapsed < 2.0  # one deadline, not attempts x timeout + backoff
    assert not list(tmp_path.iterdir())  # no file, no manifest


def test_a_trickled_body_is_cut_at_the_deadline() -> None:
    """Headers at once, then one byte every 0.1 s: no socket timeout fires, the deadline does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()

        def trickle() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                for _ in range(100):
                    try:
                        conn.sendall(b"x")
                    except OSError:
                        return
                    time.sleep(0.1)

        threading.Thread(target=trickle, daemon=True).start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/aws.csv"
        t0 = time.monotonic()
        with pytest.raises(FetchError, match=r"within 0\.5 s \(reference\.timeout_s\.aws\)"):
            get(url, timeout_s=0.5, timeout_name="reference.timeout_s.aws")
        assert time.monotonic() - t0 < 1.5


def test_the_deadline_bounds_retries_and_waits() -> None:
    with RefServer() as srv:
        srv.file("/x.csv", b"a\n1\n")
        srv.fail_first["/x.csv"], srv.fail_status = 100, 503
        policy = RetryPolicy(attempts=50, backoff_s=0.2, backoff_cap_s=0.2)
        t0 = time.monotonic()
        with pytest.raises(FetchError, match="HTTP 503"):
            get(srv.url + "/x.csv", timeout_s=1.0, sess=session(policy))
        assert time.monotonic() - t0 < 1.6
        assert len(srv.requests) < 10  # stopped by the deadline, not by 50 attempts


# ---------------------------------------------------------------- 5. secrets in source URLs
def test_credentials_in_source_urls_are_never_written(tmp_path: Path, capsys) -> None:
    secret_url = "http://user:hunter2@127.0.0.1:{port}/api/retail/prices?token=s3cr3t"
    with RefServer() as srv:
        endpoints = serve_sources(srv)
        port = srv.url.rsplit(":", 1)[1]
        endpoints["azure"] = secret_url.format(port=port)
        endpoints["owid"] = f"http://user:hunter2@127.0.0.1:{port}/owid.csv?api_key=s3cr3t"
        raw = tmp_path / "raw"
        retrieve_prices(
            skus_path=SKUS,
            azure_regions=["eastus"],
            aws_regions=["us-east-1"],
            endpoints=endpoints,
            azure_out=raw / "azure.json",
            aws_out=[raw / "aws_us-east-1.csv"],
            manifest=raw / "prices.json",
        )
        retrieve_carbon(
            endpoints=endpoints,
            google_year=2024,
            owid_out=raw / "owid.csv",
            google_out=raw / "google_2024.csv",
            manifest=raw / "carbon.json",
        )
        assert any("token=s3cr3t" in r for r in srv.requests)  # the credential was sent
        table = build.carbon_from_live(
            raw / "owid.csv",
            raw / "google_2024.csv",
            raw / "carbon.json",
            regions_path=RES / "carbon/cloud_regions.csv",
            google_year=2024,
        )
        # an error and urllib3's retry warnings, through the rules' logging: a dead port
        endpoints["owid"] = f"http://user:hunter2@127.0.0.1:{_dead_port()}/owid.csv?api_key=s3cr3t"
        log = tmp_path / "logs/retrieve.log"
        with pytest.raises(SystemExit) as exit_, log_to(log):
            retrieve_carbon(
                endpoints=endpoints,
                google_year=2024,
                owid_out=tmp_path / "again/owid.csv",
                google_out=tmp_path / "again/google.csv",
                manifest=tmp_path / "again/manifest.json",
                timeouts={"owid": 3.0},  # room for one retry after 1 s
            )
    written = [p.read_text() for p in raw.rglob("*") if p.is_file()] + [log.read_text()]
    shown = [str(exit_.value), *capsys.readouterr()]
    for text in [*written, *shown, *table["source"].to_list()]:
        assert "hunter2" not in text and "s3cr3t" not in text
    assert "Retrying" in log.read_text() and "api_key=***" in log.read_text()
    assert "http://***@127.0.0.1" in str(exit_.value)
    assert f"http://***@127.0.0.1:{port}/owid.csv?api_key=***" in set(table["source"])


def _dead_port() -> int:
    """A local port nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redact_masks_userinfo_and_secret_parameters() -> None:
    url = "https://me:pw@host/p?$filter=a eq 'b'&access_token=t&X-Amz-Signature=s&page=2"
    assert redact(f"failed: {url}") == (
        "failed: https://***@host/p?$filter=a eq 'b'&access_token=***&X-Amz-Signature=***&page=2"
    )
