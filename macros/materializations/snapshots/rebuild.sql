{#
  The Hive snapshot after this run, as one select: every row of the current table, with
  dbt_valid_to set on the current rows the changes close (what dbt's MERGE updates), then the
  changes' new rows whose dbt_scd_id the history lacks (what it inserts). Columns are the table's, then any the query added; a column
  one side lacks is NULL there (the other side of the UNION gives its type).
#}
{% macro athena_lite__snapshot_rebuild_sql(target_relation, changes, names) -%}
  {%- set existing = adapter.get_columns_in_relation(target_relation) | map(attribute='name') | map('lower') | list -%}
  {%- set changed = changes.columns | map(attribute='name') | map('lower') | list -%}
  {%- set added = changed | reject('in', existing) | list -%}
  {%- set valid_to = names.dbt_valid_to | lower -%}
  {%- set scd_id = adapter.quote(names.dbt_scd_id) -%}
  with snapshot_changes as (
    {{ changes.sql }}
  ),
  closed_rows as (
    select {{ scd_id }}, min({{ adapter.quote(valid_to) }}) as dbt_closed_at
    from snapshot_changes
    where dbt_change_type in ('update', 'delete')
    group by {{ scd_id }}
  )
  select
  {%- for name in existing + added %}
    {%- if name == valid_to %}
    case when closed_rows.{{ scd_id }} is null then history.{{ adapter.quote(name) }} else closed_rows.dbt_closed_at end
    {%- elif name in existing %}
    history.{{ adapter.quote(name) }}
    {%- else %}
    null
    {%- endif %} as {{ adapter.quote(name) }}{{ ',' if not loop.last }}
  {%- endfor %}
  from {{ target_relation }} as history
  left join closed_rows
    on closed_rows.{{ scd_id }} = history.{{ scd_id }}
    and {{ athena_lite__snapshot_is_current('history.' ~ adapter.quote(valid_to)) }}
  union all
  select
  {%- for name in existing + added %}
    {{ adapter.quote(name) if name in changed else 'null' }} as {{ adapter.quote(name) }}{{ ',' if not loop.last }}
  {%- endfor %}
  from snapshot_changes
  where dbt_change_type = 'insert'
    and not exists (select 1 from {{ target_relation }} as kept where kept.{{ scd_id }} = snapshot_changes.{{ scd_id }})
{%- endmacro %}


{#- A row is current while its dbt_valid_to is NULL or the configured dbt_valid_to_current. -#}
{% macro athena_lite__snapshot_is_current(valid_to) -%}
  {%- set current_value = config.get('dbt_valid_to_current') -%}
  {%- if current_value -%}
    ({{ valid_to }} is null or {{ valid_to }} = {{ current_value }})
  {%- else -%}
    {{ valid_to }} is null
  {%- endif -%}
{%- endmacro %}
