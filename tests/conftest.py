"""Root conftest: pytest only accepts plugin registration here."""

# dbt-tests-adapter's fixtures (project, unique_schema, ...) for tests/functional; none is autouse.
pytest_plugins = ["dbt.tests.fixtures.project"]
