"""Reference data: real fetchers against local servers, parsers, schemas and the scenario join."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from refservers import RefServer, azure_item, azure_route

from lmfootprint.core.errors import LmFootprintError, TableValidationError
from lmfootprint.reference import carbon_intensity as carbon
from lmfootprint.reference import gpu_prices as prices
from lmfootprint.reference import sources as reference
from lmfootprint.reference import tariffs
from lmfootprint.reference.hardware_table import load_hardware, lookup_cpu_tdp
from lmfootprint.reference.http import FetchError, get, save_raw
from lmfootprint.reference.scenarios import ScenarioJoinError, build_scenarios

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "resources"
SKUS = prices.load_skus(RES / "gpu_skus.csv")
KNOWN = set(load_hardware(RES / "hardware.csv")["hardware_id"].to_list())

AWS_CSV = (
    '"FormatVersion","v1.0"\n"Disclaimer","This pricing list is for informational purposes only."\n'
    '"Publication Date","2025-09-12T22:53:08Z"\n"Version","20250912225308"\n"OfferCode","AmazonEC2"\n'
    '"SKU","OfferTermCode","RateCode","TermType","PriceDescription","EffectiveDate","StartingRange",'
    '"EndingRange","Unit","PricePerUnit","Currency","Product Family","Location","Instance Type",'
    '"Tenancy","Operating System","CapacityStatus","GPU","Pre Installed S/W","Region Code"\n'
    '"A","B","C","OnDemand","$55.04 per On Demand Linux p5.48xlarge","2025-09-01","0","Inf","Hrs",'
    '"55.04","USD","Compute Instance","US East (N. Virginia)","p5.48xlarge","Shared","Linux","Used",'
    '"8","NA","us-east-1"\n'
    '"A","B","C","OnDemand","windows","2025-09-01","0","Inf","Hrs","60.00","USD","Compute Instance",'
    '"US East (N. Virginia)","p5.48xlarge","Shared","Windows","Used","8","NA","us-east-1"\n'
    '"A","B","C","Reserved","1yr","2025-09-01","0","Inf","Hrs","30.00","USD","Compute Instance",'
    '"US East (N. Virginia)","p5.48xlarge","Shared","Linux","Used","8","NA","us-east-1"\n'
    '"A","B","C","OnDemand","cpu only","2025-09-01","0","Inf","Hrs","0.096","USD","Compute Instance",'
    '"US East (N. Virginia)","m5.large","Shared","Linux","Used","","NA","us-east-1"\n'
)


def jsonstat(geo_index: dict[str, int], values: dict[str, float]) -> dict:
    """A JSON-stat body shaped as Eurostat sends nrg_pc_204 (geo index not in request order)."""
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "Electricity prices for household consumers",
        "source": "ESTAT",
        "updated": "2026-09-24T23:00:00+0200",
        "id": ["freq", "siec", "nrg_cons", "unit", "tax", "currency", "geo", "time"],
        "size": [1, 1, 1, 1, 3, 1, len(geo_index), 2],
        "dimension": {
            "freq": {"category": {"index": {"S": 0}}},
            "siec": {"category": {"index": {"E7000": 0}}},
            "nrg_cons": {"category": {"index": {"KWH2500-4999": 0}}},
            "unit": {"category": {"index": {"KWH": 0}}},
            "tax": {"category": {"index": {"X_TAX": 0, "X_VAT": 1, "I_TAX": 2}}},
            "currency": {"category": {"index": {"EUR": 0}}},
            "geo": {"category": {"index": geo_index}},
            "time": {"category": {"index": {"2025-S1": 0, "2025-S2": 1}}},
        },
        "value": values,
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
        paths = prices.fetch_azure(
            ["Standard_ND96isr_H100_v5"],
            ["eastus"],
            tmp_path,
            base_url=f"{srv.url}/api/retail/prices",
        )
        assert len(paths) == 2 and "$skip=100" in srv.requests[1]
        assert "armSkuName+eq+%27Standard_ND96isr_H100_v5%27" in srv.requests[0]
    manifest = json.loads(Path(str(paths[0]) + ".manifest.json").read_text())
    assert manifest["sha256"] and manifest["url"].startswith(srv.url)
    parsed = prices.parse_azure_pages(paths)
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
        [path] = prices.fetch_aws(
            ["us-east-1"], tmp_path, url_template=srv.url + "/offers/{region}/index.csv"
        )
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
        save_raw(response, tmp_path / "x.csv")
    assert (tmp_path / "x.csv.manifest.json").is_file()


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


@pytest.fixture(scope="module")
def tables():
    kw = {"raw_dir": "x", "settings": {}, "resources": str(RES)}
    return {
        "hardware": load_hardware(RES / "hardware.csv"),
        "prices": reference.gpu_prices(
            online=False,
            skus_path=str(RES / "gpu_skus.csv"),
            snapshot_path=str(RES / "gpu_prices.csv"),
            hardware_path=str(RES / "hardware.csv"),
            **kw,
        ),
        "carbon": reference.carbon_intensity(
            online=False,
            regions_path=str(RES / "carbon/cloud_regions.csv"),
            countries_paths=[
                str(RES / "carbon/countries_owid_via_codecarbon.csv"),
                str(RES / "carbon/owid_grapher_2024.csv"),
            ],
            google_path=str(RES / "carbon/google_region_2024.csv"),
            google_year=2024,
            **kw,
        ),
        "tariffs": reference.electricity_tariffs(
            online=False,
            table_path=str(RES / "tariffs/tariffs.csv"),
            fx_path=str(RES / "tariffs/fx_rates.csv"),
            **kw,
        ),
    }


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


def test_online_stage_end_to_end_against_local_servers(tmp_path: Path) -> None:
    with RefServer() as srv:
        srv.route(
            "/api/retail/prices",
            azure_route(srv, [[azure_item("Standard_NC24ads_A100_v4", 3.673)]]),
        )
        srv.file("/offers/us-east-1/index.csv", AWS_CSV.encode())
        settings = {
            "azure_regions": ["eastus"],
            "aws_regions": ["us-east-1"],
            "endpoints": {
                "azure": srv.url + "/api/retail/prices",
                "aws": srv.url + "/offers/{region}/index.csv",
            },
        }
        table = reference.gpu_prices(
            online=True,
            skus_path=str(RES / "gpu_skus.csv"),
            snapshot_path="unused",
            raw_dir=str(tmp_path),
            settings=settings,
            hardware_path=str(RES / "hardware.csv"),
            resources=str(RES),
        )
    assert set(table["sku"]) == {"Standard_NC24ads_A100_v4", "p5.48xlarge"}
    assert table["retrieved_at"][0] != "2026-11-23"
    assert (tmp_path / "aws_us-east-1.csv.manifest.json").is_file()


def test_snapshot_write_back_round_trips(tables, tmp_path: Path) -> None:
    import shutil

    res = tmp_path / "resources"
    shutil.copytree(RES, res)
    written = reference.write_snapshot(
        prices_table=tables["prices"],
        carbon_table=tables["carbon"],
        tariffs_table=tables["tariffs"],
        resources=res,
        date="2030-01-01",
    )
    assert res / "gpu_prices.csv" in written
    assert json.loads((res / "reference_snapshot.json").read_text())["date"] == "2030-01-01"
    kw = {"raw_dir": "x", "settings": {}, "resources": str(res)}
    again = reference.gpu_prices(
        online=False,
        skus_path=str(res / "gpu_skus.csv"),
        snapshot_path=str(res / "gpu_prices.csv"),
        hardware_path=str(res / "hardware.csv"),
        **kw,
    )
    cols = ["provider", "region", "sku", "price_type", "price_per_gpu_hour"]
    assert again.select(cols).sort(cols).equals(tables["prices"].select(cols).sort(cols))
    t = reference.electricity_tariffs(
        online=False,
        table_path=str(res / "tariffs/tariffs.csv"),
        fx_path=str(res / "tariffs/fx_rates.csv"),
        **kw,
    )
    assert t.height == tables["tariffs"].height
    c = reference.carbon_intensity(
        online=False,
        regions_path=str(res / "carbon/cloud_regions.csv"),
        countries_paths=[str(res / "carbon/owid_grapher_2024.csv")],
        google_path=str(res / "carbon/google_region_2024.csv"),
        google_year=2024,
        **kw,
    )
    fra = c.filter((pl.col("geo_id") == "FRA") & (pl.col("geo_type") == "country"))
    assert fra["gco2e_per_kwh"].item() == 40.48
