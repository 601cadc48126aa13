"""Parse Athena's catalog statements (SHOW / DESCRIBE / ALTER TABLE / MSCK) into small dataclasses.

`parse_catalog_statement` returns None for anything else (SELECT, CREATE, INSERT, ...), so the
engine's router can offer every statement here first at the cost of a few token comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dbt_athena_lite.emulator.engine import catalog_hive_rules
from dbt_athena_lite.emulator.engine.catalog_tokens import Token, syntax_error, tokenize


@dataclass(frozen=True)
class TableRef:
    """`[catalog.][database.]name`, lower-cased as Athena stores names in Glue."""

    name: str
    database: str | None = None


@dataclass(frozen=True)
class PartitionSpec:
    """`PARTITION (k='v', ...)`: values in the order written, with an optional LOCATION."""

    values: tuple[tuple[str, str], ...]
    location: str | None = None


@dataclass(frozen=True)
class ColumnDefinition:
    name: str
    type: str  # Hive type name as written, lower-cased: "int", "decimal(10,2)", "array<string>"
    comment: str | None = None


@dataclass(frozen=True)
class AddPartitions:
    table: TableRef
    partitions: tuple[PartitionSpec, ...]
    if_not_exists: bool = False


@dataclass(frozen=True)
class DropPartitions:
    table: TableRef
    partitions: tuple[PartitionSpec, ...]
    if_exists: bool = False


@dataclass(frozen=True)
class SetPartitionLocation:
    table: TableRef
    partition: PartitionSpec
    location: str


@dataclass(frozen=True)
class SetTableLocation:
    table: TableRef
    location: str


@dataclass(frozen=True)
class RenameTable:
    table: TableRef
    new_table: TableRef


@dataclass(frozen=True)
class RenamePartition:
    table: TableRef
    partition: PartitionSpec
    new_partition: PartitionSpec


@dataclass(frozen=True)
class SetTableProperties:
    table: TableRef
    properties: dict[str, str] = field(hash=False)


@dataclass(frozen=True)
class AddColumns:
    table: TableRef
    columns: tuple[ColumnDefinition, ...]


@dataclass(frozen=True)
class ReplaceColumns:
    table: TableRef
    columns: tuple[ColumnDefinition, ...]


@dataclass(frozen=True)
class ChangeColumn:
    table: TableRef
    old_name: str
    column: ColumnDefinition


@dataclass(frozen=True)
class RepairTable:
    table: TableRef


@dataclass(frozen=True)
class ShowDatabases:
    pattern: str | None = None


@dataclass(frozen=True)
class ShowTables:
    database: str | None = None
    pattern: str | None = None
    views_only: bool = False  # SHOW VIEWS


@dataclass(frozen=True)
class ShowColumns:
    table: TableRef


@dataclass(frozen=True)
class ShowPartitions:
    table: TableRef


@dataclass(frozen=True)
class ShowCreateTable:
    table: TableRef
    view: bool = False  # SHOW CREATE VIEW


@dataclass(frozen=True)
class ShowTableProperties:
    table: TableRef
    key: str | None = None


@dataclass(frozen=True)
class DescribeTable:
    table: TableRef
    formatted: bool = False


# Statements about one existing table, answered from its Glue definition.
TableDescription = ShowColumns | ShowPartitions | ShowCreateTable | ShowTableProperties | DescribeTable
AlterTable = (
    AddPartitions
    | DropPartitions
    | SetPartitionLocation
    | SetTableLocation
    | RenameTable
    | RenamePartition
    | SetTableProperties
    | AddColumns
    | ReplaceColumns
    | ChangeColumn
)
CatalogStatement = ShowDatabases | ShowTables | RepairTable | TableDescription | AlterTable


def parse_catalog_statement(sql: str) -> CatalogStatement | None:
    """Parse `sql` if it is a catalog statement; None if it belongs to the SQL engine."""
    tokens = tokenize(sql)
    if not tokens:
        return None
    first = tokens[0]
    # ALTER TABLE is ours except the forms _Parser.alter_table leaves to the SQL engine.
    if not (
        first.is_word("SHOW", "DESCRIBE", "DESC", "MSCK")
        or (first.is_word("ALTER") and len(tokens) > 1 and tokens[1].is_word("TABLE"))
    ):
        return None
    if first.is_word("ALTER", "MSCK"):
        sql, tokens = catalog_hive_rules.as_hive_reads_it(sql)
    parser = _Parser(sql, tokens)
    statement = parser.statement()
    if statement is not None:
        parser.expect_end()
    return statement


class _Parser:
    """Recursive descent over the token list; each method consumes one grammar element."""

    def __init__(self, sql: str, tokens: list[Token]) -> None:
        self.sql = sql
        self.tokens = tokens
        self.index = 0

    # -- token helpers ---------------------------------------------------------------------------

    def peek(self, offset: int = 0) -> Token | None:
        position = self.index + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def error(self, detail: str) -> Exception:
        token = self.peek()
        position = token.position if token else len(self.sql.rstrip())
        found = f"'{token.text}'" if token else "'<EOF>'"
        return syntax_error(self.sql, position, f"mismatched input {found}. {detail}")

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.is_word(*words)

    def accept_word(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.is_word(*words):
            self.index += 1
            return True
        return False

    def accept_words(self, *sequence: str) -> bool:
        """Consume the whole word sequence (e.g. IF NOT EXISTS) or nothing."""
        for offset, word in enumerate(sequence):
            token = self.peek(offset)
            if token is None or not token.is_word(word):
                return False
        self.index += len(sequence)
        return True

    def expect_word(self, *words: str) -> str:
        token = self.peek()
        if token is None or not token.is_word(*words):
            raise self.error(f"Expecting: {' or '.join(words)}")
        self.index += 1
        return token.text.upper()

    def accept_punct(self, char: str) -> bool:
        token = self.peek()
        if token is not None and token.is_punct(char):
            self.index += 1
            return True
        return False

    def expect_punct(self, char: str) -> None:
        if not self.accept_punct(char):
            raise self.error(f"Expecting: '{char}'")

    def expect_string(self) -> str:
        token = self.peek()
        if token is None or token.kind != "string":
            raise self.error("Expecting: a string literal")
        self.index += 1
        return token.text

    def accept_string(self) -> str | None:
        token = self.peek()
        if token is not None and token.kind == "string":
            self.index += 1
            return token.text
        return None

    def identifier(self) -> str:
        token = self.peek()
        if token is None or token.kind not in ("word", "quoted"):
            raise self.error("Expecting: an identifier")
        self.index += 1
        return token.text.lower()

    def expect_end(self) -> None:
        self.accept_punct(";")
        if self.peek() is not None:
            raise self.error("Expecting: end of statement")

    # -- grammar -----------------------------------------------------------------------------------

    def table_ref(self) -> TableRef:
        first_token = self.peek()
        parts = [self.identifier()]
        while self.accept_punct("."):
            parts.append(self.identifier())
        # Hive accepts `db.table` inside one pair of backticks.
        if len(parts) == 1 and first_token is not None and first_token.kind == "quoted":
            parts = parts[0].split(".")
        if len(parts) > 3:
            raise syntax_error(self.sql, first_token.position if first_token else 0, "too many dots")
        return TableRef(name=parts[-1], database=parts[-2] if len(parts) >= 2 else None)

    def hive_table_ref(self) -> TableRef:
        """The table of an ALTER TABLE / MSCK REPAIR TABLE, under Hive's naming rules."""
        start = self.index
        table = self.table_ref()
        catalog_hive_rules.check_table_name(self.sql, self.tokens[0], self.tokens[start : self.index])
        return table

    def statement(self) -> CatalogStatement | None:
        keyword = self.expect_word("SHOW", "DESCRIBE", "DESC", "MSCK", "ALTER")
        if keyword == "MSCK":
            self.expect_word("REPAIR")
            self.expect_word("TABLE")
            return RepairTable(self.hive_table_ref())
        if keyword in ("DESCRIBE", "DESC"):
            formatted = self.accept_word("FORMATTED", "EXTENDED")
            return DescribeTable(self.table_ref(), formatted=formatted)
        if keyword == "SHOW":
            return self.show()
        self.expect_word("TABLE")
        return self.alter_table(self.hive_table_ref())

    def show(self) -> CatalogStatement | None:
        kind = self.expect_word(
            "SCHEMAS", "DATABASES", "TABLES", "VIEWS", "COLUMNS", "PARTITIONS", "CREATE", "TBLPROPERTIES"
        )
        if kind in ("SCHEMAS", "DATABASES"):
            if self.accept_word("IN", "FROM"):  # the catalog: there is only one
                self.identifier()
            self.accept_word("LIKE")
            return ShowDatabases(self.accept_string())
        if kind in ("TABLES", "VIEWS"):
            # `IN db` or `IN catalog.db`: the last name is the database
            database = self.table_ref().name if self.accept_word("IN", "FROM") else None
            self.accept_word("LIKE")
            return ShowTables(database, self.accept_string(), views_only=kind == "VIEWS")
        if kind == "COLUMNS":
            self.expect_word("IN", "FROM")
            table = self.table_ref()
            if self.accept_word("IN", "FROM"):  # SHOW COLUMNS IN t IN db
                table = TableRef(table.name, self.identifier())
            return ShowColumns(table)
        if kind == "PARTITIONS":
            return ShowPartitions(self.table_ref())
        if kind == "CREATE":
            is_view = self.expect_word("TABLE", "VIEW") == "VIEW"
            return ShowCreateTable(self.table_ref(), view=is_view)
        table = self.table_ref()
        key = None
        if self.accept_punct("("):
            key = self.expect_string()
            self.expect_punct(")")
        return ShowTableProperties(table, key)

    def alter_table(self, table: TableRef) -> CatalogStatement | None:
        if self.accept_word("ADD"):
            if self.accept_word("COLUMNS"):
                return AddColumns(table, self.column_list())
            if_not_exists = self.accept_words("IF", "NOT", "EXISTS")
            partitions = [self.partition_spec(with_location=True)]
            while self.at_word("PARTITION"):
                partitions.append(self.partition_spec(with_location=True))
            return AddPartitions(table, tuple(partitions), if_not_exists=if_not_exists)
        if self.accept_word("DROP"):
            if self.at_word("COLUMN"):
                return None  # Iceberg DROP COLUMN runs in the SQL engine
            if_exists = self.accept_words("IF", "EXISTS")
            partitions = [self.partition_spec()]
            while self.accept_punct(","):
                partitions.append(self.partition_spec())
            return DropPartitions(table, tuple(partitions), if_exists=if_exists)
        if self.accept_word("REPLACE"):
            self.expect_word("COLUMNS")
            return ReplaceColumns(table, self.column_list())
        if self.accept_word("RENAME"):
            self.expect_word("TO")
            return RenameTable(table, self.table_ref())
        if self.accept_word("CHANGE"):
            self.accept_word("COLUMN")
            old_name = self.identifier()
            return ChangeColumn(table, old_name, self.column_definition())
        if self.at_word("PARTITION"):
            partition = self.partition_spec()
            if self.accept_word("RENAME"):
                self.expect_word("TO")
                return RenamePartition(table, partition, self.partition_spec())
            self.expect_word("SET")
            self.expect_word("LOCATION")
            return SetPartitionLocation(table, partition, self.expect_string())
        if not self.accept_word("SET"):
            return None  # another ALTER TABLE form: the SQL engine reports it
        if self.accept_word("LOCATION"):
            return SetTableLocation(table, self.expect_string())
        self.expect_word("TBLPROPERTIES")
        return SetTableProperties(table, self.property_list())

    def partition_spec(self, *, with_location: bool = False) -> PartitionSpec:
        self.expect_word("PARTITION")
        self.expect_punct("(")
        values: list[tuple[str, str]] = []
        while True:
            key = self.identifier()
            self.expect_punct("=")
            values.append((key, self.literal()))
            if not self.accept_punct(","):
                break
        self.expect_punct(")")
        location = self.expect_string() if with_location and self.accept_word("LOCATION") else None
        return PartitionSpec(tuple(values), location)

    def literal(self) -> str:
        """A partition value: 'string', number, or a typed literal such as DATE '2024-01-01'."""
        token = self.peek()
        if token is None:
            raise self.error("Expecting: a literal")
        if token.kind == "word" and token.is_word("DATE", "TIMESTAMP"):
            self.index += 1
            return self.expect_string()
        if token.kind in ("string", "number") or token.is_word("TRUE", "FALSE"):
            self.index += 1
            return token.text.lower() if token.kind == "word" else token.text
        raise self.error("Expecting: a literal")

    def property_list(self) -> dict[str, str]:
        self.expect_punct("(")
        properties: dict[str, str] = {}
        while True:
            key = self.expect_string()
            self.expect_punct("=")
            properties[key] = self.expect_string()
            if not self.accept_punct(","):
                break
        self.expect_punct(")")
        return properties

    def column_list(self) -> tuple[ColumnDefinition, ...]:
        self.expect_punct("(")
        columns = [self.column_definition()]
        while self.accept_punct(","):
            columns.append(self.column_definition())
        self.expect_punct(")")
        return tuple(columns)

    def column_definition(self) -> ColumnDefinition:
        name = self.identifier()
        column_type = self.column_type()
        comment = self.expect_string() if self.accept_word("COMMENT") else None
        return ColumnDefinition(name, column_type, comment)

    def column_type(self) -> str:
        """Read a Hive type up to the next top-level ',' / ')' / COMMENT, e.g. map<string,array<int>>."""
        parts: list[str] = []
        depth = 0
        while True:
            token = self.peek()
            if token is None:
                break
            if depth == 0 and (token.is_punct(",") or token.is_punct(")") or token.is_word("COMMENT")):
                break
            if token.is_punct("<") or token.is_punct("("):
                depth += 1
            elif token.is_punct(">") or token.is_punct(")"):
                depth -= 1
            parts.append(token.text.lower() if token.kind == "word" else token.text)
            self.index += 1
        if not parts:
            raise self.error("Expecting: a column type")
        return "".join(parts)
