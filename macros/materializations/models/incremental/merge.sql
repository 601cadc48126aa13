{#
  Iceberg MERGE on unique_key, with dbt-athena's options: incremental_predicates (in the ON
  clause), merge_update_columns / merge_exclude_columns, and delete_condition, update_condition,
  insert_condition. Conditions name the target `target` and the new rows `src`; dbt's
  DBT_INTERNAL_DEST / DBT_INTERNAL_SOURCE are rewritten to those (incremental.merge_condition).
#}
{% macro athena_lite__get_incremental_merge_sql(arg_dict) -%}
  {%- set cfg = arg_dict['incremental_config'] -%}
  {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
  {%- set update_columns = adapter.merge_update_columns(cfg, columns) -%}
  {%- set statements = [] -%}
  {%- for condition in arg_dict['batch_filters'] or [none] -%}
    {%- do statements.append(athena_lite__merge_statement(arg_dict, columns, update_columns, condition) | trim) -%}
  {%- endfor -%}
  {{ return(statements) }}
{%- endmacro %}


{% macro athena_lite__merge_statement(arg_dict, columns, update_columns, batch_filter) -%}
  {%- set cfg = arg_dict['incremental_config'] -%}
  {%- set quoted = [] -%}
  {%- for column in columns -%}{%- do quoted.append(adapter.quote(column)) -%}{%- endfor -%}
    merge into {{ arg_dict['target_relation'] }} as target
    using (
      select {{ quoted | join(', ') }} from {{ arg_dict['temp_relation'] }}
      {%- if batch_filter is not none %} where {{ batch_filter }}{% endif %}
    ) as src
    on (
      {%- for key in cfg.unique_key %}
      target.{{ adapter.quote(key) }} = src.{{ adapter.quote(key) }}{{ " and" if not loop.last }}
      {%- endfor %}
      {%- for predicate in cfg.incremental_predicates %}
      and ({{ predicate }})
      {%- endfor %}
    )
    {%- if cfg.delete_condition %}
    when matched and ({{ cfg.delete_condition }}) then delete
    {%- endif %}
    {%- if update_columns %}
    when matched{% if cfg.update_condition %} and ({{ cfg.update_condition }}){% endif %} then update set
      {%- for column in update_columns %}
      {{ adapter.quote(column) }} = src.{{ adapter.quote(column) }}{{ "," if not loop.last }}
      {%- endfor %}
    {%- endif %}
    when not matched{% if cfg.insert_condition %} and ({{ cfg.insert_condition }}){% endif %} then insert ({{ quoted | join(', ') }})
      values ({% for column in quoted %}src.{{ column }}{{ ", " if not loop.last }}{% endfor %})
{%- endmacro %}
