"""A local Athena-compatible service: real SQL on DuckDB behind the Athena, Glue, S3 and STS APIs."""
