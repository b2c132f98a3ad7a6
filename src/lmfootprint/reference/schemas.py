"""pandera (polars) schemas of the tables the reference stage reads and writes."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lmfootprint.core.schema import DATE_RE, PROVENANCE, TableSchema, brackets


class GpuSkuSchema(TableSchema):
    """resources/gpu_skus.csv: the reviewed instance type -> GPU mapping."""

    provider: str = pa.Field(isin=["aws", "azure", "gcp"])
    sku: str
    gpu_model: str
    gpu_count: float = pa.Field(gt=0, le=64)
    source: str = pa.Field(str_startswith="http")

    class Config:
        unique = ["provider", "sku"]


class GpuPriceSchema(TableSchema):
    """results/gpu_prices.parquet: one row per (provider, region, SKU, price type)."""

    provider: str
    region: str
    sku: str
    gpu_model: str
    gpu_count: float = pa.Field(gt=0)
    price_type: str = pa.Field(
        isin=[
            "on_demand",
            "spot",
            "low_priority",
            "capacity_block",
            "reserved_1y",
            "reserved_3y",
            "marketplace",
        ]
    )
    instance_price_per_hour: float = pa.Field(gt=0, le=500)  # as quoted, in ``currency``
    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    price_per_gpu_hour: float = pa.Field(ge=0.05, le=20)  # USD
    fx_period: str  # period of the FX rate applied ("identity" for USD)
    effective_date: str = pa.Field(str_matches=DATE_RE)
    provenance: str = pa.Field(isin=PROVENANCE)
    source: str
    source_version: str
    retrieved_at: str

    class Config:
        unique = ["provider", "region", "sku", "price_type"]


class HardwareSchema(TableSchema):
    """resources/hardware.csv: specs, embodied carbon and purchase prices, each with a source."""

    hardware_id: str = pa.Field(unique=True, str_matches=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    kind: str = pa.Field(isin=["gpu", "cpu", "laptop"])
    name: str
    vendor: str
    memory_gb: float = pa.Field(gt=0, le=2048)
    memory_bandwidth_gbps: float = pa.Field(gt=0, le=20000)
    tdp_w: float = pa.Field(gt=0, le=2000)
    peak_bf16_tflops: float = pa.Field(nullable=True, gt=0, le=10000)
    peak_fp16_tflops: float = pa.Field(nullable=True, gt=0, le=10000)
    peak_fp8_tflops: float = pa.Field(nullable=True, gt=0, le=20000)
    embodied_kgco2e: float = pa.Field(nullable=True, gt=0, le=100000)
    purchase_price_usd: float = pa.Field(nullable=True, gt=0)
    purchase_price_low_usd: float = pa.Field(nullable=True, gt=0)
    purchase_price_high_usd: float = pa.Field(nullable=True, gt=0)
    price_basis: str = pa.Field(nullable=True)
    price_date: str = pa.Field(nullable=True, str_matches=DATE_RE)
    release_date: str = pa.Field(str_matches=DATE_RE)
    source: str = pa.Field(str_startswith="http")
    notes: str = pa.Field(nullable=True)

    @pa.dataframe_check
    def price_range_brackets_price(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            brackets(
                "purchase_price_usd", low="purchase_price_low_usd", high="purchase_price_high_usd"
            )
        )


class CarbonIntensitySchema(TableSchema):
    """results/carbon_intensity.parquet: gCO2e/kWh by country or cloud region, basis explicit."""

    geo_type: str = pa.Field(isin=["country", "cloud_region"])
    geo_id: str
    provider: str = pa.Field(nullable=True)
    country_iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=1990, le=2100)
    gco2e_per_kwh: float = pa.Field(ge=0, le=1600)  # highest real country value seen: 1306
    basis: str = pa.Field(isin=["lifecycle", "direct"])
    provenance: str = pa.Field(isin=PROVENANCE)
    method: str
    source: str
    source_version: str
    retrieved_at: str

    class Config:
        unique = ["geo_type", "geo_id", "provider", "year", "basis"]


class TariffSchema(TableSchema):
    """results/tariffs.parquet: electricity prices, with band, tax level and period."""

    geo: str
    consumer: str = pa.Field(isin=["household", "non_household"])
    band: str
    tax_level: str = pa.Field(isin=["I_TAX", "X_VAT", "X_TAX"])
    period: str = pa.Field(str_matches=r"^\d{4}(-S[12])?$")
    currency: str = pa.Field(isin=["EUR", "USD"])
    price_per_kwh: float = pa.Field(ge=0.01, le=1.5)
    usd_per_kwh: float = pa.Field(ge=0.01, le=2.0)
    fx_period: str
    provenance: str = pa.Field(isin=PROVENANCE)
    source: str
    source_version: str
    retrieved_at: str

    class Config:
        unique = ["geo", "consumer", "band", "tax_level", "period"]


class ScenarioSchema(TableSchema):
    """results/scenarios.parquet: each configured scenario joined to its hardware, grid
    intensity and price (cloud) or tariff and purchase price (local)."""

    scenario: str = pa.Field(unique=True)
    kind: str = pa.Field(isin=["cloud", "local"])
    hardware_id: str
    hardware_name: str
    tdp_w: float = pa.Field(gt=0, le=2000)
    memory_gb: float = pa.Field(gt=0, le=2048)
    memory_bandwidth_gbps: float = pa.Field(gt=0, le=20000)
    peak_tflops: float = pa.Field(nullable=True, gt=0, le=10000)
    peak_fp8_tflops: float = pa.Field(nullable=True, gt=0, le=20000)
    embodied_kgco2e: float = pa.Field(nullable=True, gt=0, le=100000)
    location: str
    intensity_g_per_kwh: float = pa.Field(ge=0, le=1600)
    intensity_basis: str = pa.Field(isin=["lifecycle", "direct"])
    intensity_year: int = pa.Field(ge=1990, le=2100)
    intensity_provenance: str = pa.Field(isin=PROVENANCE)
    intensity_method: str
    intensity_source: str
    pue: float = pa.Field(ge=1.0, le=3.0)
    price_note: str = pa.Field(nullable=True)
    price_per_gpu_hour_usd: float = pa.Field(nullable=True, ge=0.05, le=20)
    price_region: str = pa.Field(nullable=True)
    price_type: str = pa.Field(nullable=True)
    price_date: str = pa.Field(nullable=True, str_matches=DATE_RE)
    price_source: str = pa.Field(nullable=True)
    tariff_usd_per_kwh: float = pa.Field(nullable=True, ge=0.01, le=2.0)
    tariff_period: str = pa.Field(nullable=True, str_matches=r"^\d{4}(-S[12])?$")
    purchase_price_usd: float = pa.Field(nullable=True, gt=0)
    lifetime_years: float = pa.Field(nullable=True, gt=0, le=20)

    @pa.dataframe_check
    def priced_by_kind(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A cloud scenario has a GPU-hour price and no tariff; a local one the reverse."""
        cloud = pl.col("kind") == "cloud"
        return data.lazyframe.select(
            pl.when(cloud)
            .then(
                pl.col("price_per_gpu_hour_usd").is_not_null()
                & pl.col("tariff_usd_per_kwh").is_null()
            )
            .otherwise(
                pl.col("tariff_usd_per_kwh").is_not_null()
                & pl.col("price_per_gpu_hour_usd").is_null()
                & pl.col("lifetime_years").is_not_null()
            )
        )
