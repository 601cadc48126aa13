{#
  on_schema_change: dbt's sync_column_schemas calls these. Hive cannot drop one column, so a removal
  rewrites the column list (REPLACE COLUMNS, partition keys excluded: they stay as they are);
  Iceberg adds and drops columns one by one. Both change metadata only: no data is rewritten.
#}
{% macro athena_lite__alter_relation_add_remove_columns(relation, add_columns, remove_columns) -%}
  {%- set add_columns = add_columns or [] -%}
  {%- set remove_columns = remove_columns or [] -%}
  {%- for sql in athena_lite__alter_columns_statements(relation, adapter.glue_table_type(relation), add_columns, remove_columns) -%}
    {%- do run_query(sql) -%}
  {%- endfor -%}
{%- endmacro %}


{% macro athena_lite__alter_columns_statements(relation, table_type, add_columns, remove_columns) -%}
  {%- set statements = [] -%}
  {%- set table = relation.render_hive() -%}
  {%- if remove_columns and table_type != 'iceberg' -%}
    {%- set removed = remove_columns | map(attribute='name') | map('lower') | list -%}
    {%- set kept = [] -%}
    {#- data_columns is None while dbt parses (no catalog calls then). -#}
    {%- for column in (adapter.data_columns(relation) or []) if column.name | lower not in removed -%}
      {%- do kept.append(column) -%}
    {%- endfor -%}
    {%- do statements.append('alter table ' ~ table ~ ' replace columns (' ~ athena_lite__column_definitions(kept + add_columns) ~ ')') -%}
  {%- else -%}
    {%- if add_columns -%}
      {%- do statements.append('alter table ' ~ table ~ ' add columns (' ~ athena_lite__column_definitions(add_columns) ~ ')') -%}
    {%- endif -%}
    {%- for column in remove_columns -%}
      {%- do statements.append('alter table ' ~ table ~ ' drop column `' ~ column.name ~ '`') -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(statements) }}
{%- endmacro %}


{#- Hive and Iceberg alike: CHANGE COLUMN (Iceberg allows only widening: int to bigint, float to double). -#}
{% macro athena_lite__alter_column_type(relation, column_name, new_column_type) -%}
  {%- set sql -%}
    alter table {{ relation.render_hive() }} change column `{{ column_name }}` `{{ column_name }}` {{ adapter.ddl_type(new_column_type) }}
  {%- endset -%}
  {%- do run_query(sql) -%}
{%- endmacro %}


{% macro athena_lite__column_definitions(columns) -%}
  {%- for column in columns -%}
    `{{ column.name }}` {{ adapter.ddl_type(column.dtype) }}{{ ", " if not loop.last }}
  {%- endfor -%}
{%- endmacro %}
