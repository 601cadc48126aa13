"""Table properties read from sqlglot's CREATE tree.

sqlglot keeps Athena's CTAS `WITH (...)`, `WITH NO DATA` and Hive's ROW FORMAT / STORED AS /
LOCATION / TBLPROPERTIES as property nodes on the tree, but its DuckDB output drops them: the
engine reads them here and honours them itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from dbt_athena_lite.emulator.engine.api import AthenaQueryError


@dataclass
class CreateProperties:
    external: bool = False
    file_format: str | None = None  # STORED AS x / WITH (format='x')
    input_format: str | None = None  # STORED AS INPUTFORMAT '...' OUTPUTFORMAT '...'
    output_format: str | None = None
    serde: str | None = None
    serde_properties: dict[str, str] = field(default_factory=dict)
    delimited: dict[str, str] = field(default_factory=dict)  # ROW FORMAT DELIMITED, as SerDe parameters
    location: str | None = None
    partition_columns: list[exp.ColumnDef] = field(default_factory=list)  # Hive DDL
    partitioned_by: list[str] = field(default_factory=list)  # CTAS ARRAY['p1', 'p2']
    comment: str | None = None
    with_no_data: bool = False
    named: dict[str, exp.Expression] = field(default_factory=dict)  # WITH (k = v) and TBLPROPERTIES

    def text(self, name: str) -> str | None:
        value = self.named.get(name)
        return None if value is None else literal_text(value)

    def names(self, name: str) -> list[str]:
        value = self.named.get(name)
        if value is None:
            return []
        if not isinstance(value, exp.Array):
            raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"{name} must be an ARRAY['col', ...]")
        return [literal_text(item).lower() for item in value.expressions]

    def tblproperties(self) -> dict[str, str]:
        return {name: literal_text(value) for name, value in self.named.items()}


# ROW FORMAT DELIMITED clause -> the SerDe parameter Hive stores it as.
_DELIMITED_PARAMETERS = {
    "fields": "field.delim",
    "escaped": "escape.delim",
    "collection_items": "collection.delim",
    "map_keys": "mapkey.delim",
    "lines": "line.delim",
    "null": "serialization.null.format",
}


def literal_text(value: exp.Expression) -> str:
    if isinstance(value, exp.Literal | exp.Var | exp.Identifier):
        return str(value.this)
    if isinstance(value, exp.Boolean):
        return "true" if value.this else "false"
    raise AthenaQueryError("INVALID_TABLE_PROPERTY", f"Expected a literal value, got {value.sql('athena')}")


def read_properties(create: exp.Expression) -> CreateProperties:
    """The properties of a CREATE statement (none for any other statement)."""
    found = CreateProperties()
    node = create.args.get("properties")
    for prop in node.expressions if isinstance(node, exp.Properties) else ():
        _apply(found, prop)
    return found


def _apply(found: CreateProperties, prop: exp.Expression) -> None:
    if isinstance(prop, exp.ExternalProperty):
        found.external = True
    elif isinstance(prop, exp.FileFormatProperty):
        inner = prop.this
        if isinstance(inner, exp.InputOutputFormat):
            found.input_format = literal_text(inner.args["input_format"])
            found.output_format = literal_text(inner.args["output_format"])
        elif inner is not None:
            found.file_format = literal_text(inner).upper()
    elif isinstance(prop, exp.RowFormatSerdeProperty):
        found.serde = literal_text(prop.this)
        serde_props = prop.args.get("serde_properties")
        for item in serde_props.expressions if serde_props is not None else ():
            found.serde_properties[literal_text(item.this)] = literal_text(item.args["value"])
    elif isinstance(prop, exp.RowFormatDelimitedProperty):
        for arg, parameter in _DELIMITED_PARAMETERS.items():
            if prop.args.get(arg) is not None:
                found.delimited[parameter] = literal_text(prop.args[arg])
    elif isinstance(prop, exp.LocationProperty):
        found.location = literal_text(prop.this)
    elif isinstance(prop, exp.PartitionedByProperty):
        _apply_partitioning(found, prop.this)
    elif isinstance(prop, exp.SchemaCommentProperty):
        found.comment = literal_text(prop.this)
    elif isinstance(prop, exp.WithDataProperty):
        found.with_no_data = bool(prop.args.get("no"))
    elif isinstance(prop, exp.Property):
        found.named[literal_text(prop.this).lower()] = prop.args["value"]
    else:
        raise AthenaQueryError("NOT_SUPPORTED", f"Table property not supported: {prop.sql('athena')}")


def _apply_partitioning(found: CreateProperties, value: exp.Expression) -> None:
    if isinstance(value, exp.Schema):
        found.partition_columns = [c for c in value.expressions if isinstance(c, exp.ColumnDef)]
    elif isinstance(value, exp.Array):
        found.partitioned_by = [literal_text(item).lower() for item in value.expressions]
    else:
        raise AthenaQueryError("INVALID_TABLE_PROPERTY", "partitioned_by must be an ARRAY['col', ...]")
