from dbt_athena_lite.__version__ import version

__all__ = ["version"]
