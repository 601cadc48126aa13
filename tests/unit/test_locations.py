"""Table locations: every naming convention x temporary or not x external_location, and the roots."""

from __future__ import annotations

import pytest

from dbt_athena_lite.locations import DataRoots, is_fixed, table_location

STAGING = "s3://results/athena/"
DATA = "s3://lake/data/"
TMP = "s3://lake/tmp/"
EXTERNAL = "s3://lake/exports/orders/"

NAMING_PARTS = {
    "unique": "{id}",
    "table": "orders",
    "table_unique": "orders/{id}",
    "schema_table": "sales/orders",
    "schema_table_unique": "sales/orders/{id}",
}


def _location(roots: DataRoots, naming: str, *, temporary: bool, external: str | None = None) -> str:
    return table_location(
        roots,
        schema="sales",
        table="orders",
        naming=naming,
        external_location=external,
        temporary=temporary,
        new_id=lambda: "u-1",
    )


@pytest.mark.parametrize("naming", sorted(NAMING_PARTS))
@pytest.mark.parametrize(
    ("roots", "temporary", "root"),
    [
        (DataRoots(STAGING, DATA, TMP), False, DATA),
        (DataRoots(STAGING, DATA, TMP), True, TMP),
        (DataRoots(STAGING, DATA), True, DATA),
        (DataRoots(STAGING), False, STAGING + "tables/"),
        (DataRoots(STAGING, None, TMP), False, STAGING + "tables/"),
        (DataRoots(STAGING, None, TMP), True, TMP),
    ],
)
def test_naming_under_the_root(naming: str, roots: DataRoots, temporary: bool, root: str) -> None:
    expected = root + NAMING_PARTS[naming].format(id="u-1")
    assert _location(roots, naming, temporary=temporary) == expected


@pytest.mark.parametrize("naming", sorted(NAMING_PARTS))
def test_external_location_wins_for_the_table_itself(naming: str) -> None:
    roots = DataRoots(STAGING, DATA, TMP)
    assert _location(roots, naming, temporary=False, external=EXTERNAL) == EXTERNAL.rstrip("/")


@pytest.mark.parametrize("naming", sorted(NAMING_PARTS))
def test_temporary_relations_never_use_external_location(naming: str) -> None:
    roots = DataRoots(STAGING, DATA, TMP)
    assert _location(roots, naming, temporary=True, external=EXTERNAL).startswith(TMP)


def test_every_build_gets_a_new_id() -> None:
    roots = DataRoots(STAGING, DATA)
    first = table_location(roots, schema="s", table="t")
    assert first != table_location(roots, schema="s", table="t")
    assert first.startswith(DATA + "s/t/")


def test_external_location_is_normalised() -> None:
    roots = DataRoots(STAGING)
    assert table_location(roots, schema="s", table="t", external_location="s3://bkt//x/y//") == "s3://bkt/x/y"


def test_unknown_naming_names_the_choices() -> None:
    with pytest.raises(ValueError, match="schema_table_unique"):
        table_location(DataRoots(STAGING), schema="s", table="t", naming="table_schema")


def test_all_roots_for_the_guard() -> None:
    assert DataRoots(STAGING, DATA, TMP).all() == (DATA, TMP, STAGING + "tables/")
    assert DataRoots(STAGING).all() == (STAGING + "tables/",)


@pytest.mark.parametrize(
    ("naming", "external", "fixed"),
    [
        ("unique", None, False),
        ("table_unique", None, False),
        ("schema_table_unique", None, False),
        ("table", None, True),
        ("schema_table", None, True),
        ("schema_table_unique", EXTERNAL, True),
    ],
)
def test_fixed_locations(naming: str, external: str | None, fixed: bool) -> None:
    assert is_fixed(naming, external) is fixed
