"""Validation of a table model's config, before anything runs.

Config names and values are dbt-athena's, so its projects build unchanged. Every error names the
config, the value and the fix; it is raised at the start of the materialization, so a typo costs no
Athena query and never leaves half-built objects behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dbt_common.exceptions import CompilationError

from dbt_athena_lite import locations, s3_paths

HIVE_FORMATS = ("parquet", "orc", "avro", "json", "textfile")
ICEBERG_FORMATS = ("parquet", "orc", "avro")
TABLE_TYPES = ("hive", "iceberg")
# Codec names Athena's CTAS accepts in `write_compression` (which apply depends on the format).
COMPRESSIONS = ("gzip", "snappy", "zstd", "lz4", "lzo", "zlib", "deflate", "bzip2", "none", "uncompressed")

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_ICEBERG_TRANSFORMS = (
    re.compile(rf"^(?P<column>{_IDENTIFIER})$"),
    re.compile(rf"^(?:year|month|day|hour)\(\s*(?P<column>{_IDENTIFIER})\s*\)$", re.IGNORECASE),
    re.compile(rf"^(?:bucket|truncate)\(\s*[1-9][0-9]*\s*,\s*(?P<column>{_IDENTIFIER})\s*\)$", re.IGNORECASE),
)


class ModelConfigError(CompilationError):
    """A model config value that cannot work; the message names the config, the value and the fix."""

    def __init__(self, config: str, problem: str, fix: str) -> None:
        super().__init__(f"Model config `{config}`: {problem}. {fix}")
        self.config = config


@dataclass(frozen=True)
class TableConfig:
    """A table model's storage config, validated and normalised (lower-case names, lists)."""

    table_type: str = "hive"
    format: str = "parquet"
    partitioned_by: tuple[str, ...] = ()
    bucketed_by: tuple[str, ...] = ()
    bucket_count: int | None = None
    external_location: str | None = None
    write_compression: str | None = None
    field_delimiter: str | None = None
    table_properties: Mapping[str, Any] = field(default_factory=dict)
    s3_data_dir: str | None = None
    s3_data_naming: str = locations.DEFAULT_NAMING
    force_batch: bool = False
    partitions_limit: int = 100  # Athena's limit of partitions one CTAS or INSERT may write
    versions_to_keep: int = 4

    @property
    def is_iceberg(self) -> bool:
        return self.table_type == "iceberg"

    @property
    def partition_columns(self) -> tuple[str, ...]:
        """The source column of each partition field (`day(ts)` -> `ts`)."""
        return tuple(partition_column(spec) for spec in self.partitioned_by)

    @property
    def fixed_location(self) -> bool:
        return locations.is_fixed(self.s3_data_naming, self.external_location)

    @property
    def property_literals(self) -> dict[str, str]:
        """`table_properties` as SQL literals for an Iceberg CTAS `WITH (...)`."""
        return {name: sql_literal(value) for name, value in self.table_properties.items()}

    @property
    def property_strings(self) -> dict[str, str]:
        """`table_properties` as TBLPROPERTIES strings (Hive keeps every property as a string)."""
        return {name: _unquoted(value) for name, value in self.table_properties.items()}


def _unquoted(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value)
    # dbt-athena projects often quote values for its WITH clause: "'2'".
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def sql_literal(value: Any) -> str:
    """A property value as SQL: numbers and booleans bare, text quoted once."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float) or re.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?", str(value)):
        return str(value)  # dbt-athena renders values raw: '2' has always meant the number 2
    return "'" + _unquoted(value).replace("'", "''") + "'"


def config_mapping(model_config: Any) -> Mapping[str, Any]:
    """A model's config as a plain mapping (dbt hands macros a NodeConfig object or a dict)."""
    if isinstance(model_config, Mapping):
        return model_config
    to_dict = getattr(model_config, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    raise TypeError(f"Expected a model config, got {type(model_config).__name__}")


def partition_column(spec: str) -> str:
    for pattern in _ICEBERG_TRANSFORMS:
        match = pattern.match(spec.strip())
        if match:
            return match["column"]
    return spec


def table_config(
    raw: Mapping[str, Any],
    *,
    profile_naming: str,
    protected_roots: Iterable[str] = (),
    other_locations: Mapping[str, str] | None = None,
) -> TableConfig:
    """Validate `raw` (a model's config). `protected_roots` are directories holding many tables (the
    data roots, the staging dir); `other_locations` maps other models to their external_location."""
    table_type = _choice(raw, "table_type", TABLE_TYPES, "hive")
    formats = ICEBERG_FORMATS if table_type == "iceberg" else HIVE_FORMATS
    fmt = _choice(raw, "format", formats, "parquet", context=f"for table_type='{table_type}'")
    partitioned_by = _names(raw, "partitioned_by")
    bucketed_by = _names(raw, "bucketed_by")
    bucket_count = _positive_int(raw, "bucket_count")
    naming = _choice(raw, "s3_data_naming", locations.NAMINGS, profile_naming)
    external_location = _external_location(raw, protected_roots, other_locations or {})
    checked = TableConfig(
        table_type=table_type,
        format=fmt,
        partitioned_by=partitioned_by,
        bucketed_by=bucketed_by,
        bucket_count=bucket_count,
        external_location=external_location,
        write_compression=_choice(raw, "write_compression", COMPRESSIONS, None),
        field_delimiter=_field_delimiter(raw, fmt),
        table_properties=_properties(raw),
        s3_data_dir=_directory(raw, "s3_data_dir"),
        s3_data_naming=naming,
        force_batch=_flag(raw, "force_batch"),
        partitions_limit=_positive_int(raw, "partitions_limit") or 100,
        versions_to_keep=_positive_int(raw, "versions_to_keep") or 4,
    )
    _check_partitions(checked)
    _check_buckets(checked)
    return checked


def _choice(
    raw: Mapping[str, Any], name: str, allowed: Iterable[str], default: str | None, context: str = ""
) -> Any:
    value = raw.get(name)
    if value is None:
        return default
    options = tuple(allowed)
    if not isinstance(value, str) or value.lower() not in options:
        where = f" {context}" if context else ""
        raise ModelConfigError(
            name, f"{value!r} is not supported{where}", f"Use one of: {', '.join(options)}"
        )
    return value.lower()


def _names(raw: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = raw.get(name)
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ModelConfigError(name, f"{value!r} is not a list", f"Write it as a list: {name}=[{value!r}]")
    if not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise ModelConfigError(
            name, f"{value!r} must list column names", "Remove it, or list columns as strings"
        )
    return tuple(item.strip() for item in value)


def _positive_int(raw: Mapping[str, Any], name: str) -> int | None:
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelConfigError(name, f"{value!r} is not a positive whole number", f"Set {name} to e.g. 4")
    return int(value)


def _flag(raw: Mapping[str, Any], name: str) -> bool:
    value = raw.get(name, False)
    if not isinstance(value, bool):
        raise ModelConfigError(name, f"{value!r} is not a boolean", "Use true or false")
    return value


def _directory(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    try:
        return s3_paths.as_directory(str(value))
    except s3_paths.InvalidS3Path as error:
        raise ModelConfigError(
            name, str(error), "Write an S3 directory such as 's3://bucket/prefix/'"
        ) from None


def _external_location(
    raw: Mapping[str, Any], protected_roots: Iterable[str], other_locations: Mapping[str, str]
) -> str | None:
    location = _directory(raw, "external_location")
    if location is None:
        return None
    fix = "Point external_location at a directory of its own, e.g. 's3://bucket/warehouse/<schema>/<table>/'"
    if s3_paths.parse_s3_path(location).is_bucket_root:
        raise ModelConfigError(
            "external_location", f"{location!r} is a bucket root; rebuilding would empty the bucket", fix
        )
    for root in protected_roots:
        root_dir = s3_paths.as_directory(root)
        if s3_paths.is_within(root_dir, location):
            raise ModelConfigError(
                "external_location",
                f"{location!r} {'is' if root_dir == location else 'contains'} {root_dir}, "
                "where other tables and query results live",
                fix,
            )
    for model, other in sorted(other_locations.items()):
        try:
            other_dir = s3_paths.as_directory(other)
        except s3_paths.InvalidS3Path:
            continue  # that model's own check reports it
        if s3_paths.overlaps(location, [other_dir]):
            raise ModelConfigError(
                "external_location",
                f"{location!r} overlaps the external_location of {model} ({other_dir})",
                "Give each model a directory that neither contains nor lies within another model's",
            )
    return location


def _field_delimiter(raw: Mapping[str, Any], fmt: str) -> str | None:
    value = raw.get("field_delimiter")
    if value is None:
        return None
    if fmt != "textfile":
        raise ModelConfigError(
            "field_delimiter",
            f"only applies to format='textfile' (format is {fmt!r})",
            "Remove it, or set format",
        )
    if not isinstance(value, str) or len(value) != 1 or value == "'":
        raise ModelConfigError("field_delimiter", f"{value!r} is not one character", "Use e.g. ',' or '\\t'")
    return value


def _properties(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    value = raw.get("table_properties")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ModelConfigError(
            "table_properties", f"{value!r} is not a mapping", "Write it as {'property': 'value'}"
        )
    bad = [key for key in value if not isinstance(key, str) or not re.match(r"^[A-Za-z0-9_.\-]+$", key)]
    if bad:
        raise ModelConfigError(
            "table_properties",
            f"{bad[0]!r} is not a property name",
            "Use names like 'optimize_rewrite_delete_file_threshold'",
        )
    return dict(value)


def _check_partitions(config: TableConfig) -> None:
    for spec in config.partitioned_by:
        if config.is_iceberg:
            if not any(pattern.match(spec) for pattern in _ICEBERG_TRANSFORMS):
                raise ModelConfigError(
                    "partitioned_by",
                    f"{spec!r} is not a column or an Iceberg transform",
                    "Use a column name, year(col), month(col), day(col), hour(col), bucket(N, col) or truncate(N, col)",
                )
        elif not re.match(rf"^{_IDENTIFIER}$", spec):
            raise ModelConfigError(
                "partitioned_by",
                f"{spec!r} is not a column name (partition transforms need table_type='iceberg')",
                "List plain column names, or set table_type='iceberg'",
            )
    if config.is_iceberg and config.fixed_location:
        setting = (
            f"external_location={config.external_location!r}"
            if config.external_location
            else f"s3_data_naming={config.s3_data_naming!r}"
        )
        raise ModelConfigError(
            "table_type",
            f"'iceberg' needs a new location for every build, but {setting} reuses one path "
            "(the rebuilt table is written beside the old one before the swap)",
            "Remove external_location and use s3_data_naming 'schema_table_unique' (or 'table_unique', 'unique')",
        )


def _check_buckets(config: TableConfig) -> None:
    if config.is_iceberg and (config.bucketed_by or config.bucket_count):
        raise ModelConfigError(
            "bucketed_by",
            "Iceberg tables are not bucketed this way",
            "Partition with bucket(N, col) in partitioned_by",
        )
    if bool(config.bucketed_by) != bool(config.bucket_count):
        missing = "bucket_count" if config.bucketed_by else "bucketed_by"
        raise ModelConfigError(missing, "is missing", "Set bucketed_by and bucket_count together")
    overlap = set(config.bucketed_by) & set(config.partitioned_by)
    if overlap:
        raise ModelConfigError(
            "bucketed_by",
            f"{sorted(overlap)[0]!r} is also a partition column",
            "Bucket by a non-partition column",
        )
