"""Reference data: real retrievals against local servers, manifests, builds, schemas and the
scenario join."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from refservers import AWS_CSV, RefServer, azure_item, azure_route, jsonstat, serve_sources

from lmfootprint.core.errors import LmFootprintError, TableValidationError
from lmfootprint.core.http import FetchError, RetryPolicy, get, session
from lmfootprint.reference import build, tariffs
from lmfootprint.reference import carbon_intensity as carbon
from lmfootprint.reference import gpu_prices as prices
from lmfootprint.reference.hardware_table import load_hardware, lookup_cpu_tdp
from lmfootprint.reference.http import Manifest, ManifestError
from lmfootprint.reference.retrieve import (
    retrieve_carbon,
    retrieve_prices,
    retrieve_shipped,
    retrieve_tariffs,
)
from lmfootprint.reference.scenarios import ScenarioJoinError, build_scenarios
from lmfootprint.reference.snapshot import SnapshotFiles, write_snapshot

ROOT = Path(__file__).resolve().parents[3]
RES = ROOT / "resources"
SKUS = prices.load_skus(RES / "gpu_skus.csv")
KNOWN = set(load_hardware(RES / "hardware.csv")["hardware_id"].to_list())
SHIPPED_SNAPSHOT = SnapshotFiles(  # the files refresh_reference compares with and replaces
    prices=RES / "gpu_prices.csv",
    countries=RES / "carbon/owid_grapher_2024.csv",
    google=RES / "carbon/google_region_2024.csv",
    tariffs=RES / "tariffs/tariffs.csv",
    stamp=RES / "reference_snapshot.json",
)
SHIPPED = {  # as workflow/rules/retrieve.smk lists them
    "prices": ["gpu_prices.csv"],
    "carbon": [
        "carbon/countries_owid_via_codecarbon.csv",
        "carbon/owid_grapher_2024.csv",
        "carbon/google_region_2024.csv",
    ],
    "tariffs": ["tariffs/tariffs.csv"],
}


def test_azure_paging_with_absolute_next_links(tmp_path: Path) -> None:
    with RefServer() as srv:
        pages = [
            [
                azure_item("Standard_ND96isr_H100_v5", 98.32),
                azure_item("Standard_ND96isr_H100_v5", 40.0, sku_name="ND96isr H100 v5 Spot"),
                azure_item(
                    "Standard_ND96isr_H100_v5", 120.0, product="Virtual Machines ND Series Windows"
                ),
            ],
            [
                azure_item("Standard_ND96isr_H100_v5", 0.0),
                azure_item("Standard_ND96isr_H100_v5", 500.0, kind="DevTestConsumption"),
            ],
        ]
        srv.route("/api/retail/prices", azure_route(srv, pages))
        out = tmp_path / "azure.json"
        entry = prices.fetch_azure(
            ["Standard_ND96isr_H100_v5"],
            ["eastus"],
            out,
            base_url=f"{srv.url}/api/retail/prices",
        )
        assert len(entry["pages"]) == 2 and "$skip=100" in srv.requests[1]
        assert "armSkuName+eq+%27Standard_ND96isr_H100_v5%27" in srv.requests[0]
    assert entry["pages"][0]["sha256"] and entry["pages"][1]["url"].startswith(srv.url)
    assert entry["bytes"] == out.stat().st_size
    parsed = prices.parse_azure(out)
    assert parsed.sort("price_type").select("price_type", "instance_price_per_hour").rows() == [
        ("on_demand", 98.32),
        ("spot", 40.0),
    ]
    table = prices.per_gpu_hour(
        parsed, SKUS, provenance="published", retrieved_at="x", known_gpus=KNOWN
    )
    assert table.filter(pl.col("price_type") == "on_demand")[
        "price_per_gpu_hour"
    ].item() == pytest.approx(12.29)


def test_aws_offer_csv_with_preamble(tmp_path: Path) -> None:
    with RefServer() as srv:
        srv.file("/offers/us-east-1/index.csv", AWS_CSV.encode())
        path = tmp_path / "aws_us-east-1.csv"
        entry = prices.fetch_aws(
            "us-east-1", path, url_template=srv.url + "/offers/{region}/index.csv"
        )
    assert entry["path"] == path.name and entry["source_version"] == '"v1"'  # the ETag
    assert path.read_bytes() == AWS_CSV.encode()
    df = prices.parse_aws_csv(path)
    assert df.rows(named=True) == [
        {
            "provider": "aws",
            "region": "us-east-1",
            "sku": "p5.48xlarge",
            "price_type": "on_demand",
            "instance_price_per_hour": 55.04,
            "currency": "USD",
            "effective_date": "2025-09-01",
            "source": "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2",
            "source_version": "20250912225308 (2025-09-12T22:53:08Z)",
        }
    ]
    bad = tmp_path / "nopreamble.csv"
    bad.write_text(AWS_CSV.split("\n", 5)[5])
    with pytest.raises(LmFootprintError, match="preamble"):
        prices.parse_aws_csv(bad)


def test_unmapped_gpu_sku_is_an_error_naming_it() -> None:
    df = pl.DataFrame(
        {
            "provider": ["aws"],
            "region": ["us-east-1"],
            "sku": ["p6-b200.48xlarge"],
            "price_type": ["on_demand"],
            "instance_price_per_hour": [113.9],
            "currency": ["USD"],
            "effective_date": ["2025-09-01"],
            "source": ["s"],
            "source_version": ["v"],
        }
    )
    with pytest.raises(prices.UnmappedSkuError, match=r"\('aws', 'p6-b200.48xlarge'\)"):
        prices.per_gpu_hour(df, SKUS, provenance="published", retrieved_at="x")
    market = df.with_columns(
        sku=pl.lit("GB300"), price_type=pl.lit("marketplace"), instance_price_per_hour=pl.lit(5.0)
    )
    with pytest.raises(prices.UnmappedSkuError, match=r"\['GB300'\] not in resources/hardware.csv"):
        prices.per_gpu_hour(
            market, SKUS, provenance="published", retrieved_at="x", known_gpus=KNOWN
        )


@pytest.mark.parametrize(
    "price,check", [(-3.0, "greater_than(0)"), (400.0, "less_than_or_equal_to(20)")]
)
def test_price_schema_rejections(price: float, check: str) -> None:
    df = (
        prices.load_snapshot(RES / "gpu_prices.csv")
        .head(1)
        .with_columns(instance_price_per_hour=pl.lit(price), sku=pl.lit("g4dn.xlarge"))
    )
    with pytest.raises(TableValidationError) as err:
        prices.per_gpu_hour(df, SKUS, provenance="published", retrieved_at="x")
    assert (
        "gpu_prices" in str(err.value) and check in str(err.value) and str(price) in str(err.value)
    )


def test_jsonstat_sparse_out_of_order(tmp_path: Path) -> None:
    # geo index EU first, then alphabetical: DE is position 1 though requested first
    doc = jsonstat(
        {"EU27_2020": 0, "DE": 1, "FR": 2},
        {
            # tax=2 (I_TAX), geo=1 (DE), time=1 (2025-S2): 2*6 + 1*2 + 1 = 15
            "15": 0.3869,
            "17": 0.2561,
            "4": 0.1785,
        },
    )
    rows = tariffs.decode_jsonstat(doc).sort("geo").select("tax", "geo", "time", "value").rows()
    assert rows == [
        ("I_TAX", "DE", "2025-S2", 0.3869),
        ("I_TAX", "FR", "2025-S2", 0.2561),
        ("X_TAX", "FR", "2025-S1", 0.1785),
    ]
    with RefServer() as srv:
        srv.file("/data/nrg_pc_204", json.dumps(doc).encode(), "application/json")
        srv.route(
            "/data/nrg_pc_205",
            lambda p, q: (
                400,
                {"Content-Type": "application/json"},
                b'{"error":[{"status":400,"id":150,"label":"INVALID_QUERY_DIMENSION"}]}',
            ),
        )
        raw = tmp_path / "hh.json"
        m = tariffs.fetch_eurostat(
            "household", ["DE", "FR"], "2025-S1", raw, base=srv.url + "/data/{dataset}"
        )
        assert m["source_version"] == "2026-09-24T23:00:00+0200"
        assert "nrg_cons=KWH2500-4999" in srv.requests[0] and "geo=DE&geo=FR" in srv.requests[0]
        with pytest.raises(FetchError, match="HTTP 400.*INVALID_QUERY_DIMENSION"):
            tariffs.fetch_eurostat(
                "non_household",
                ["DE"],
                "2025-S1",
                tmp_path / "nh.json",
                base=srv.url + "/data/{dataset}",
            )
    parsed = tariffs.parse_eurostat(raw, "household")
    assert set(parsed["band"]) == {"KWH2500-4999"} and parsed.height == 3


def test_retry_after_429_then_success(tmp_path: Path) -> None:
    with RefServer() as srv:
        srv.file("/x.csv", b"a,b\n1,2\n")
        srv.fail_first["/x.csv"] = 2
        response = get(srv.url + "/x.csv")
        assert response.status_code == 200 and len(srv.requests) == 3
        # a 5xx is retried too; a 404 is not
        srv.fail_first["/x.csv"], srv.fail_status = 1, 503
        assert get(srv.url + "/x.csv").status_code == 200 and len(srv.requests) == 5
        with pytest.raises(FetchError, match="HTTP 404"):
            get(srv.url + "/missing.csv")
        assert len(srv.requests) == 6
        with pytest.raises(FetchError, match="HTTP 503"):
            srv.fail_first["/x.csv"] = 5
            get(srv.url + "/x.csv", sess=session(RetryPolicy(attempts=2, backoff_s=0)))


def test_retry_waits_follow_the_policy_and_retry_after() -> None:
    policy = RetryPolicy(attempts=4, backoff_s=1.0, backoff_cap_s=30.0)
    assert [policy.wait_s(n) for n in (1, 2, 3, 6)] == [1.0, 2.0, 4.0, 30.0]
    assert policy.wait_s(1, 7.0) == 7.0 and policy.wait_s(3, 0.5) == 4.0
    assert policy.wait_s(1, 500.0) == 30.0  # a huge Retry-After is capped
    assert policy.retries_status(429) and policy.retries_status(502)
    assert not policy.retries_status(404)


def test_reference_client_honours_retry_after() -> None:
    import time

    with RefServer() as srv:
        srv.file("/x.csv", b"a\n1\n")
        srv.fail_first["/x.csv"], srv.retry_after = 1, "1"
        t0 = time.monotonic()
        get(srv.url + "/x.csv", sess=session(RetryPolicy(attempts=2, backoff_s=0.0)))
        assert time.monotonic() - t0 >= 1.0  # the server's 1 s, despite backoff 0


def test_carbon_header_variants_bom_and_missing_column(tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    short.write_text(
        "\ufeffentity,code,year,co2_intensity__gco2_kwh\nFrance,FRA,2024,40.48\n"
        "World,OWID_WRL,2024,458.5\nAfrica,,2024,500\n",
        encoding="utf-8",
    )
    df = carbon.parse_countries(short, source="s", source_version="v", retrieved_at="r")
    assert df.select("geo_id", "gco2e_per_kwh", "basis").rows() == [("FRA", 40.48, "lifecycle")]
    bad = tmp_path / "bad.csv"
    bad.write_text("Entity,Code,Year,Something else\nFrance,FRA,2024,1\n")
    with pytest.raises(LmFootprintError, match=r"bad.csv: missing column\(s\): gco2e_per_kwh"):
        carbon.parse_countries(bad, source="s", source_version="v", retrieved_at="r")
    regions = pl.read_csv(RES / "carbon/cloud_regions.csv", infer_schema=False)
    old = tmp_path / "2019.csv"
    old.write_text(
        "Google Cloud Region,Location,Google CFE,Lifecycle grid carbon intensity (gCO2eq / kWh)\n"
        "europe-west9,Paris,,59\n"
    )
    g = carbon.parse_google_regions(
        old, 2019, regions, source="s", source_version="v", retrieved_at="r"
    )
    assert g["basis"].item() == "lifecycle"
    # CodeCarbon's GCP file really starts with a BOM
    assert (RES / "carbon/gcp_regions_codecarbon.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_carbon_schema_rejects_absurd_and_missing_basis(tables) -> None:
    from lmfootprint.core.validation import validate_frame
    from lmfootprint.reference.schemas import CarbonIntensitySchema

    good = tables["carbon"]  # the offline table, built once for the module
    with pytest.raises(TableValidationError, match=r"'gco2e_per_kwh'.*5000"):
        validate_frame(
            CarbonIntensitySchema, good.head(1).with_columns(gco2e_per_kwh=pl.lit(5000.0)), "ci"
        )
    with pytest.raises(TableValidationError, match="basis"):
        validate_frame(CarbonIntensitySchema, good.drop("basis"), "ci")
    est = good.filter((pl.col("provider") == "aws") & (pl.col("geo_id") == "eu-west-3")).row(
        0, named=True
    )
    assert est["provenance"] == "estimated" and est["gco2e_per_kwh"] == 40.48
    paris = good.filter(
        (pl.col("provider") == "gcp")
        & (pl.col("geo_id") == "europe-west9")
        & (pl.col("basis") == "direct")
    ).row(0, named=True)
    assert paris["gco2e_per_kwh"] == 16.30 and paris["provenance"] == "published"


def shipped_retrieval(source: str, res: Path, out: Path) -> tuple[list[Path], Path]:
    """The offline retrieval of one source, as the rule runs it: copies + manifest."""
    copies = [out / source / Path(name).name for name in SHIPPED[source]]
    retrieve_shipped(
        source,
        [(res / n, f"resources/{n}", c) for n, c in zip(SHIPPED[source], copies, strict=True)],
        stamp=res / "reference_snapshot.json",
        manifest=out / source / "manifest.json",
    )
    return copies, out / source / "manifest.json"


def offline_tables(res: Path, out: Path) -> dict[str, pl.DataFrame]:
    price_files, price_manifest = shipped_retrieval("prices", res, out)
    carbon_files, carbon_manifest = shipped_retrieval("carbon", res, out)
    tariff_files, tariff_manifest = shipped_retrieval("tariffs", res, out)
    return {
        "hardware": load_hardware(res / "hardware.csv"),
        "prices": build.gpu_prices_from_snapshot(
            price_files[0],
            price_manifest,
            skus_path=res / "gpu_skus.csv",
            hardware_path=res / "hardware.csv",
        ),
        "carbon": build.carbon_from_snapshot(
            carbon_files[:2],
            carbon_files[2],
            carbon_manifest,
            regions_path=res / "carbon/cloud_regions.csv",
            google_year=2024,
        ),
        "tariffs": build.tariffs_from_snapshot(
            tariff_files[0], tariff_manifest, fx_path=res / "tariffs/fx_rates.csv"
        ),
    }


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return offline_tables(RES, tmp_path_factory.mktemp("raw"))


def test_offline_retrieval_is_a_manifested_copy(tables, tmp_path: Path) -> None:
    copies, manifest = shipped_retrieval("carbon", RES, tmp_path)
    doc = json.loads(manifest.read_text())
    assert doc["mode"] == "shipped" and doc["retrieved_at"] == "2026-11-23"
    assert [f["shipped_as"] for f in doc["files"]] == [f"resources/{n}" for n in SHIPPED["carbon"]]
    assert all(f["url"] is None for f in doc["files"])
    for copy, name in zip(copies, SHIPPED["carbon"], strict=True):
        assert copy.read_bytes() == (RES / name).read_bytes()
    # every row names the shipped file (as resources/...), not where the copy lies
    sources = set(tables["carbon"]["source"])
    assert "resources/carbon/owid_grapher_2024.csv" in sources
    assert not any(str(tmp_path) in s for s in sources)
    for name in ("prices", "carbon", "tariffs"):
        t = tables[name]
        assert (
            t.select("provenance", "source", "source_version", "retrieved_at")
            .null_count()
            .sum_horizontal()
            .item()
            == 0
        )


def test_build_refuses_a_raw_file_its_manifest_does_not_vouch_for(tmp_path: Path) -> None:
    [copy], manifest = shipped_retrieval("prices", RES, tmp_path)
    kw = {"skus_path": RES / "gpu_skus.csv", "hardware_path": RES / "hardware.csv"}
    with pytest.raises(ManifestError, match="a 'shipped' retrieval, expected 'live'"):
        build.gpu_prices_from_live(copy, [], manifest, **kw)
    copy.write_text(copy.read_text().replace("21.957642", "1.957642"))
    with pytest.raises(ManifestError, match=r"gpu_prices.csv: changed since it was retrieved"):
        build.gpu_prices_from_snapshot(copy, manifest, **kw)
    with pytest.raises(ManifestError, match="not a retrieval manifest"):
        Manifest(tmp_path / "nothing.json")


def test_scenarios_join_and_errors(tables) -> None:
    base = {
        "local": {
            "kind": "local",
            "hardware": "M1-Pro-16c",
            "country": "FRA",
            "tariff": {"geo": "FR", "consumer": "household"},
        },
        "cloud": {
            "kind": "cloud",
            "hardware": "H100-SXM5",
            "provider": "aws",
            "region": "us-east-1",
            "sku": "p5.48xlarge",
        },
    }
    out = build_scenarios(base, basis="lifecycle", **tables)
    local = out.filter(pl.col("scenario") == "local").row(0, named=True)
    assert local["intensity_g_per_kwh"] == 40.48 and local["intensity_year"] == 2024
    assert local["tariff_usd_per_kwh"] == pytest.approx(0.2561 * 1.0824)
    cloud = out.filter(pl.col("scenario") == "cloud").row(0, named=True)
    # p5.48xlarge on-demand after AWS's June 2025 cut: 55.04 USD / 8 GPUs
    assert cloud["price_per_gpu_hour_usd"] == pytest.approx(6.88)
    assert cloud["intensity_provenance"] == "estimated"
    for change, message in [
        ({"region": "mars-1"}, "lifecycle carbon intensity for 'aws:mars-1'"),
        ({"sku": "p4d.24xlarge"}, "has A100-40-SXM4, not H100-SXM5"),
        ({"hardware": "TPU-v9"}, "hardware 'TPU-v9'"),
        ({"price_type": "reserved_3y"}, "reserved_3y price for aws:us-east-1:p5.48xlarge"),
    ]:
        with pytest.raises(ScenarioJoinError, match=f"scenario 'cloud': .*{message}"):
            build_scenarios({"cloud": {**base["cloud"], **change}}, basis="lifecycle", **tables)
    with pytest.raises(
        ScenarioJoinError,
        match="no tariff for geo='FR' consumer='non_household' tax_level='X_TAX_'",
    ):
        build_scenarios(
            {
                "local": {
                    **base["local"],
                    "tariff": {"geo": "FR", "consumer": "non_household", "tax_level": "X_TAX_"},
                }
            },
            basis="lifecycle",
            **tables,
        )


def test_tariff_schema_and_fx(tables) -> None:
    t = tables["tariffs"]
    de = t.filter((pl.col("geo") == "DE") & (pl.col("consumer") == "household")).row(0, named=True)
    assert de["usd_per_kwh"] == pytest.approx(0.3869 * 1.0824) and de["fx_period"] == "2024"
    bad = tariffs.load_table(RES / "tariffs/tariffs.csv").with_columns(price_per_kwh=pl.lit(-0.2))
    with pytest.raises(TableValidationError, match="price_per_kwh"):
        tariffs.to_usd(
            bad,
            pl.read_csv(RES / "tariffs/fx_rates.csv", infer_schema=False),
            provenance="published",
            retrieved_at="x",
        )


def test_cpu_tdp_lookup_uses_codecarbon_table() -> None:
    table = RES / "hardware/cpu_tdp_codecarbon.csv"
    assert lookup_cpu_tdp("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", table)[0] == 300.0
    assert lookup_cpu_tdp("AMD EPYC", table) is None  # a family name alone says nothing


def test_live_retrieval_and_build_against_local_servers(tmp_path: Path) -> None:
    with RefServer() as srv:
        endpoints = serve_sources(srv)
        raw = tmp_path / "raw"
        retrieve_prices(
            skus_path=RES / "gpu_skus.csv",
            azure_regions=["eastus"],
            aws_regions=["us-east-1"],
            endpoints=endpoints,
            azure_out=raw / "prices/azure.json",
            aws_out=[raw / "prices/aws_us-east-1.csv"],
            manifest=raw / "prices/manifest.json",
        )
        retrieve_carbon(
            endpoints=endpoints,
            google_year=2024,
            owid_out=raw / "carbon/owid.csv",
            google_out=raw / "carbon/google_2024.csv",
            manifest=raw / "carbon/manifest.json",
        )
        outs = {c: raw / f"tariffs/eurostat_{c}.json" for c in ("household", "non_household")}
        retrieve_tariffs(
            endpoints=endpoints,
            geos=["DE", "FR"],
            since="2025-S1",
            outs=outs,
            manifest=raw / "tariffs/manifest.json",
        )
    written = sorted(str(p.relative_to(raw)) for p in raw.rglob("*") if p.is_file())
    assert written == [
        "carbon/google_2024.csv",
        "carbon/manifest.json",
        "carbon/owid.csv",
        "prices/aws_us-east-1.csv",
        "prices/azure.json",
        "prices/manifest.json",
        "tariffs/eurostat_household.json",
        "tariffs/eurostat_non_household.json",
        "tariffs/manifest.json",
    ]  # only the files the caller named: no stray per-file manifests
    m = json.loads((raw / "prices/manifest.json").read_text())
    assert m["mode"] == "live" and {f["path"] for f in m["files"]} == {
        "azure.json",
        "aws_us-east-1.csv",
    }
    kw = {"skus_path": RES / "gpu_skus.csv", "hardware_path": RES / "hardware.csv"}
    table = build.gpu_prices_from_live(
        raw / "prices/azure.json",
        [raw / "prices/aws_us-east-1.csv"],
        raw / "prices/manifest.json",
        **kw,
    )
    assert set(table["sku"]) == {
        "Standard_NC24ads_A100_v4",
        "Standard_ND96amsr_A100_v4",
        "p5.48xlarge",
    }
    assert set(table["retrieved_at"]) == {m["retrieved_at"]} and m["retrieved_at"] != "2026-11-23"
    ci = build.carbon_from_live(
        raw / "carbon/owid.csv",
        raw / "carbon/google_2024.csv",
        raw / "carbon/manifest.json",
        regions_path=RES / "carbon/cloud_regions.csv",
        google_year=2024,
    )
    fra = ci.filter((pl.col("geo_type") == "country") & (pl.col("geo_id") == "FRA")).row(
        0, named=True
    )
    assert fra["gco2e_per_kwh"] == 40.48 and fra["source"] == endpoints["owid"]
    assert fra["source_version"] == '"v1"'
    [tariff_copy], tariff_manifest = shipped_retrieval("tariffs", RES, tmp_path / "shipped")
    t = build.tariffs_from_live(
        outs,
        raw / "tariffs/manifest.json",
        us_table=tariff_copy,
        us_manifest=tariff_manifest,
        fx_path=RES / "tariffs/fx_rates.csv",
    )
    assert set(t["geo"]) == {"DE", "FR", "US"}
    assert set(t.filter(pl.col("geo") == "FR")["source_version"]) == {
        "nrg_pc_204 updated 2026-09-24T23:00:00+0200",
        "nrg_pc_205 updated 2026-09-24T23:00:00+0200",
    }


def test_snapshot_write_back_round_trips(tables, tmp_path: Path) -> None:
    import shutil

    out = tmp_path / "refresh"
    files = SnapshotFiles(
        prices=out / "gpu_prices.csv",
        countries=out / "carbon/owid_grapher_2024.csv",
        google=out / "carbon/google_region_2024.csv",
        tariffs=out / "tariffs/tariffs.csv",
        stamp=out / "reference_snapshot.json",
    )
    written = write_snapshot(
        prices_table=tables["prices"],
        carbon_table=tables["carbon"],
        tariffs_table=tables["tariffs"],
        current=SHIPPED_SNAPSHOT,
        out=files,
        date="2030-01-01",
    )
    assert sorted(written) == sorted(p for p in out.rglob("*") if p.is_file())
    assert json.loads(files.stamp.read_text())["date"] == "2030-01-01"
    # copied over a resources/ folder (as `make refresh-reference` does), it reads back
    res = tmp_path / "resources"
    shutil.copytree(RES, res)
    shutil.copytree(out, res, dirs_exist_ok=True)
    again = offline_tables(res, tmp_path / "raw")
    cols = ["provider", "region", "sku", "price_type", "price_per_gpu_hour"]
    assert again["prices"].select(cols).sort(cols).equals(tables["prices"].select(cols).sort(cols))
    assert set(again["prices"]["retrieved_at"]) == {"2030-01-01"}
    assert again["tariffs"].height == tables["tariffs"].height
    fra = again["carbon"].filter((pl.col("geo_id") == "FRA") & (pl.col("geo_type") == "country"))
    assert fra.sort("year")["gco2e_per_kwh"][-1] == 40.48  # the newest year, as shipped


def test_scenario_schema_checks_the_joined_table(tables) -> None:
    from lmfootprint.core.validation import validate_frame
    from lmfootprint.reference.schemas import ScenarioSchema

    scenarios = {
        "cloud": {
            "kind": "cloud",
            "hardware": "H100-SXM5",
            "provider": "aws",
            "region": "us-east-1",
            "sku": "p5.48xlarge",
            "pue": 1.14,
        }
    }
    good = build_scenarios(scenarios, basis="lifecycle", **tables)
    assert list(good.columns) == list(ScenarioSchema.to_schema().columns)
    with pytest.raises(TableValidationError, match="priced_by_kind"):
        validate_frame(ScenarioSchema, good.with_columns(kind=pl.lit("local")), "scenarios")
    with pytest.raises(TableValidationError, match=r"'pue'.*7\.0"):
        validate_frame(ScenarioSchema, good.with_columns(pue=pl.lit(7.0)), "scenarios")
    with pytest.raises(TableValidationError, match="scenarios: missing required column"):
        validate_frame(ScenarioSchema, good.drop("intensity_basis"), "scenarios")
