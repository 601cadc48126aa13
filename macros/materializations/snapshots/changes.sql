{#
  dbt's snapshot select (first build or changes) and its columns. dbt's timestamps, and every
  timestamp column of the query, are cast to the one precision the table stores (Hive
  milliseconds, Iceberg microseconds: athena_lite__timestamp_type): a snapshot of an Iceberg source
  into Hive (or the reverse) then builds, and history and changes always have the same types.
  Returns {'sql': ..., 'columns': [Column]}, the columns without dbt's work columns.
#}
{% macro athena_lite__snapshot_changes(select_sql, names) -%}
  {%- set timestamps = [names.dbt_valid_from, names.dbt_valid_to, names.dbt_updated_at] | map('lower') | list -%}
  {%- set columns = get_column_schema_from_query(select_sql) -%}
  {%- set typed -%}
    select
    {%- for column in columns %}
      {%- set name = adapter.quote(column.name) %}
      {%- set is_timestamp = column.name | lower in timestamps or (column.dtype | lower).startswith('timestamp') %}
      {{ 'cast(' ~ name ~ ' as ' ~ athena_lite__timestamp_type() ~ ') as ' ~ name if is_timestamp else name }}{{ ',' if not loop.last }}
    {%- endfor %}
    from (
      {{ select_sql }}
    ) as snapshot_changes
  {%- endset -%}
  {%- set stored = columns | rejectattr('name', 'in', athena_lite__snapshot_work_columns(columns)) | list -%}
  {{ return({'sql': typed, 'columns': stored}) }}
{%- endmacro %}


{#- dbt's change type and unique key columns: they steer the merge and are never stored. -#}
{% macro athena_lite__snapshot_work_columns(columns) -%}
  {%- set work = [] -%}
  {%- for column in columns -%}
    {%- set name = column.name | lower -%}
    {%- if name in ('dbt_change_type', 'dbt_unique_key') or name.startswith('dbt_unique_key_') -%}
      {%- do work.append(column.name) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(work) }}
{%- endmacro %}
