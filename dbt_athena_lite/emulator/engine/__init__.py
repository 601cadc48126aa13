"""The SQL engine: Athena SQL in, DuckDB execution, Glue and S3 as the catalog and storage."""
