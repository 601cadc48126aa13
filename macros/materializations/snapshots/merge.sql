{#
  Iceberg snapshots take dbt's MERGE: close the current rows that changed, insert the new ones.
  Columns the query added are added to the table first (Athena's DDL spells types the Hive way).
  The changes are read as a subquery of the MERGE, so nothing is staged.
#}
{% macro athena_lite__snapshot_merge(target_relation, changes, names) -%}
  {%- set existing = adapter.get_columns_in_relation(target_relation) | map(attribute='name') | map('lower') | list -%}
  {%- set added = changes.columns | rejectattr('name', 'in', existing) | list -%}
  {%- if added -%}
    {% do create_columns(target_relation, added) %}
  {%- endif -%}
  {%- set insert_cols = [] -%}
  {%- for column in changes.columns -%}
    {%- do insert_cols.append(adapter.quote(column.name)) -%}
  {%- endfor -%}
  {%- call statement('main') -%}
    {{ snapshot_merge_sql(target_relation, '(' ~ changes.sql ~ ')', insert_cols) }}
  {%- endcall -%}
  {{ return(load_result('main').response) }}
{%- endmacro %}


{% macro athena_lite__snapshot_merge_sql(target, source, insert_cols) -%}
  {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
  {%- set values = [] -%}
  {%- for column in insert_cols -%}
    {%- do values.append('dbt_internal_source.' ~ column) -%}
  {%- endfor -%}
  merge into {{ target }} as dbt_internal_dest
  using {{ source }} as dbt_internal_source
  on dbt_internal_source.{{ names.dbt_scd_id }} = dbt_internal_dest.{{ names.dbt_scd_id }}
  when matched
    and {{ athena_lite__snapshot_is_current('dbt_internal_dest.' ~ names.dbt_valid_to) }}
    and dbt_internal_source.dbt_change_type in ('update', 'delete')
    then update set {{ names.dbt_valid_to }} = dbt_internal_source.{{ names.dbt_valid_to }}
  when not matched
    and dbt_internal_source.dbt_change_type = 'insert'
    then insert ({{ insert_cols | join(', ') }})
    values ({{ values | join(', ') }})
{%- endmacro %}


{#- Hive DDL type names (ALTER TABLE ADD COLUMNS), from Athena's SQL ones. -#}
{% macro athena_lite__create_columns(relation, columns) -%}
  {%- set ddl_names = {'varchar': 'string', 'integer': 'int', 'real': 'float', 'varbinary': 'binary'} -%}
  {%- call statement('add_snapshot_columns') -%}
    alter table {{ relation.render_hive() }} add columns (
    {%- for column in columns %}
      `{{ column.name }}` {{ ddl_names.get(column.dtype | lower, column.dtype) }}{{ ',' if not loop.last }}
    {%- endfor %}
    )
  {%- endcall -%}
{%- endmacro %}
