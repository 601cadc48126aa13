"""Seed CSVs on their way into Athena: a file that Athena's OpenCSVSerde reads back exactly, and its upload.

The file is written from dbt's parsed table rather than copied, so that every value reaches Athena in
the one spelling its casts accept (`2020-01-01 10:00:00`, `true`, `12.50`), whatever the seed file's
delimiter or byte-order mark. Every field is quoted and `"` and `\\` are backslash-escaped: the one
escaping OpenCSVSerde and other CSV readers agree on.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, ParamValidationError
from dbt_common.exceptions import DbtRuntimeError

from dbt_athena_lite import s3_paths

if TYPE_CHECKING:
    import agate

CSV_FILE_NAME = "seed.csv"
# Separators of other CSV dialects: found in the only column name, they mean the wrong `delimiter`.
_OTHER_DELIMITERS = (",", ";", "|", "\t")


def _timestamp(value: datetime.datetime) -> str:
    # Athena's cast from varchar wants a space between date and time, and no zone suffix: a value with
    # a zone (`...T10:00:00+02:00`) is written as the UTC time it denotes.
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")


# Python type of an agate cell -> its text in the CSV; checked in order (bool is an int, datetime a date).
_FORMATTERS: tuple[tuple[type, Callable[[Any], str]], ...] = (
    (bool, lambda value: "true" if value else "false"),
    (datetime.datetime, _timestamp),
    (datetime.date, lambda value: value.isoformat()),
    (decimal.Decimal, lambda value: format(value, "f")),  # never "1E+2": Athena will not cast that
    (str, str),
)


class SeedFileError(DbtRuntimeError):
    """A seed value or setting Athena cannot take; the message names the seed, the place and the fix."""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    for kind, formatter in _FORMATTERS:
        if isinstance(value, kind):
            return formatter(value)
    return str(value)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def csv_bytes(seed: str, column_names: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The seed as UTF-8 CSV with a header line (skipped by the table, kept for people reading it)."""
    lines = [",".join(_quoted(name) for name in column_names)]
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(value) for value in row]
        for name, text in zip(column_names, cells, strict=True):
            if "\n" in text or "\r" in text:
                raise SeedFileError(
                    f"Seed {seed}, row {number}, column {name}: the value has a line break, and Athena reads "
                    "CSV files one line per row. Replace the line break in the seed file (e.g. with '\\n')"
                )
        lines.append(",".join(_quoted(text) for text in cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def check_column_names(seed: str, column_names: Sequence[str]) -> None:
    """Refuse headers Athena cannot hold, before anything is uploaded."""
    if len(column_names) == 1 and any(mark in column_names[0] for mark in _OTHER_DELIMITERS):
        raise SeedFileError(
            f"Seed {seed} has one column, {column_names[0]!r}: its file looks separated by another character. "
            "Set the seed's `delimiter` config to the character between its columns"
        )
    seen: dict[str, str] = {}
    for name in column_names:
        if not name.strip() or '"' in name or "`" in name:
            raise SeedFileError(
                f"Seed {seed}: the column name {name!r} cannot be quoted in Athena. Rename it"
            )
        # Athena stores every name in lower case, so `Id` and `id` would be one column.
        if name.lower() in seen:
            raise SeedFileError(
                f"Seed {seed}: columns {seen[name.lower()]!r} and {name!r} are the same name to Athena, "
                "which ignores case. Rename one of them"
            )
        seen[name.lower()] = name


def agate_csv_bytes(seed: str, table: agate.Table) -> bytes:
    column_names = [str(name) for name in table.column_names]
    check_column_names(seed, column_names)
    return csv_bytes(seed, column_names, [tuple(row) for row in table.rows])


def upload(
    s3_client: Any, location: str, body: bytes, upload_args: Mapping[str, Any] | None, *, seed: str
) -> str:
    """Put the CSV below the directory `location` with `seed_s3_upload_args` as PutObject arguments.

    Returns the object's S3 path."""
    path = s3_paths.parse_s3_path(s3_paths.join(location, CSV_FILE_NAME))
    extra = dict(upload_args or {})
    clash = sorted({"Bucket", "Key", "Body"} & extra.keys())
    if clash:
        raise SeedFileError(
            f"seed_s3_upload_args for seed {seed}: {', '.join(clash)} cannot be set, dbt chooses them. "
            "Keep only PutObject options such as ACL, ServerSideEncryption or SSEKMSKeyId"
        )
    try:
        s3_client.put_object(Bucket=path.bucket, Key=path.key, Body=body, **extra)
    except ParamValidationError as error:
        raise SeedFileError(
            f"seed_s3_upload_args for seed {seed} are not valid PutObject arguments: {error}. "
            "Use PutObject's parameter names, e.g. {'ACL': 'bucket-owner-full-control'}"
        ) from None
    except ClientError as error:
        raise SeedFileError(f"Could not upload seed {seed} to {path.uri}: {error}") from error
    return path.uri
