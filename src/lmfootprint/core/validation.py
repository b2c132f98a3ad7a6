"""Validation at stage boundaries: run a pandera schema and fail with one readable message.

The message names the file, each failing column and check, and a few of the bad values, so
that a user can fix the input without reading a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pandera.errors as pa_errors
import polars as pl

from lmfootprint.core.errors import TableValidationError

MAX_VALUES_SHOWN = 5


def _describe(failures: pl.DataFrame) -> list[str]:
    lines = []
    # a failed coercion also fails the checks on that column: show the coercion only
    coerced = set(
        failures.filter(pl.col("check").str.contains("coerce|dtype", literal=False))
        .get_column("column")
        .to_list()
    )
    for (column, check), group in failures.group_by(["column", "check"], maintain_order=True):
        if column in coerced and "coerce" not in str(check) and "dtype" not in str(check):
            continue
        values = [v for v in group.get_column("failure_case").to_list()][:MAX_VALUES_SHOWN]
        rows = [i for i in group.get_column("index").to_list() if i is not None][:MAX_VALUES_SHOWN]
        where = f" (rows {rows})" if rows else ""
        col = column if column is not None else "<table>"
        lines.append(f"  column {col!r}: check {check} failed for values {values}{where}")
    return lines


def frame_from_rows(schema, rows: list[dict]) -> pl.DataFrame:
    """Rows as a frame with exactly the schema's columns, typed by it (absent keys are null)."""
    columns = schema.to_schema().columns
    dtypes = {
        name: col.dtype.type if hasattr(col.dtype, "type") else pl.String
        for name, col in columns.items()
    }
    return pl.DataFrame([{c: r.get(c) for c in columns} for r in rows], schema=dtypes)


def validate_frame(schema, df: pl.DataFrame, source: str | Path) -> pl.DataFrame:
    """Validate eagerly (value checks do not run on LazyFrames) and return the coerced frame."""
    if isinstance(df, pl.LazyFrame):
        df = df.collect()
    required = [name for name, col in schema.to_schema().columns.items() if col.required]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise TableValidationError(
            f"{source}: missing required column(s) {missing} (schema {schema.__name__})"
        )
    try:
        return schema.validate(df, lazy=True)
    except pa_errors.SchemaErrors as exc:
        lines = _describe(exc.failure_cases)
        raise TableValidationError(
            f"{source}: table does not match schema {schema.__name__}:\n" + "\n".join(lines)
        ) from None
    except pa_errors.SchemaError as exc:  # raised for schema-level problems in some versions
        raise TableValidationError(f"{source}: {exc}") from None


def read_csv_checked(path: str | Path, schema, **kwargs) -> pl.DataFrame:
    """Read a shipped CSV snapshot (BOM tolerated) and validate it."""
    path = Path(path)
    try:
        df = pl.read_csv(path, encoding="utf8-lossy", infer_schema_length=10000, **kwargs)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, OSError) as exc:
        raise TableValidationError(f"{path}: cannot read CSV ({exc})") from None
    df = df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})
    return validate_frame(schema, df, path)


def read_csv_columns(path: str | Path, columns: list[str]) -> pl.DataFrame:
    """A shipped CSV read as text, BOM tolerated, with exactly these columns (named if missing)."""
    df = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    df = df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise TableValidationError(f"{path}: missing column(s) {missing}; found {df.columns}")
    return df.select(columns)


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        return pl.read_parquet(path)
    except Exception as exc:  # polars raises several types for truncated/corrupt files
        raise TableValidationError(f"{path}: cannot read parquet ({exc})") from None


def read_parquet_checked(path: str | Path, schema) -> pl.DataFrame:
    path = Path(path)
    return validate_frame(schema, _read_parquet(path), path)


def validate_parts(
    schema, parts: list[tuple[pl.DataFrame, str | Path]], source: str | Path
) -> pl.DataFrame:
    """Parts (frame, where it came from) as one table, validated once: a pandera call costs
    0.1-0.25 s whatever the rows, so 1,000 parts validated one by one would take minutes.
    Where the whole fails, each part is validated again so that the error names its source."""
    frames = [frame for frame, _ in parts]
    df = pl.concat(frames, how="vertical_relaxed") if frames else frame_from_rows(schema, [])
    try:
        return validate_frame(schema, df, source)
    except TableValidationError:
        for frame, where in parts:
            validate_frame(schema, frame, where)
        raise  # only checks across parts failed (e.g. a duplicate key): the whole is named


def read_parquet_part(path: str | Path, schema) -> tuple[pl.DataFrame, Path]:
    """One per-job table, read and its columns compared (values: see validate_parts)."""
    path = Path(path)
    df = _read_parquet(path)
    columns = list(schema.to_schema().columns)
    if df.columns != columns:
        missing = [c for c in columns if c not in df.columns]
        extra = [c for c in df.columns if c not in columns]
        raise TableValidationError(
            f"{path}: columns do not match schema {schema.__name__} "
            f"(missing {missing}, unexpected {extra}, or another order)"
        )
    return df, path


def concat_parquets_checked(paths: list[str | Path], schema, source: str | Path) -> pl.DataFrame:
    """Many per-job tables as one, validated once (an error names the file at fault)."""
    return validate_parts(schema, [read_parquet_part(p, schema) for p in paths], source)
