{#
  Athena's current_timestamp is `timestamp(3) with time zone`, which no Athena table can store.
  Hive tables take millisecond timestamps only (a timestamp(6) column fails the CTAS with
  "Incorrect timestamp precision"), Iceberg tables microsecond ones only: the value is cast to
  the precision of the table the current node builds. The session zone is UTC, so the naive
  value is UTC.
#}
{% macro athena_lite__current_timestamp() -%}
  cast(current_timestamp as {{ athena_lite__timestamp_type() }})
{%- endmacro %}


{#- dbt's snapshot timestamps (dbt_valid_from/to, dbt_updated_at with the check strategy). -#}
{% macro athena_lite__snapshot_get_time() -%}
  {{ athena_lite__current_timestamp() }}
{%- endmacro %}


{% macro athena_lite__snapshot_string_as_time(timestamp) -%}
  cast(timestamp '{{ timestamp }}' as {{ athena_lite__timestamp_type() }})
{%- endmacro %}


{% macro athena_lite__current_timestamp_backcompat() -%}
  cast(current_timestamp as timestamp)
{%- endmacro %}


{#- 'timestamp(6)' when the current node writes an Iceberg table, else 'timestamp' (milliseconds). -#}
{% macro athena_lite__timestamp_type() -%}
  {%- set node = model if model is defined and model is mapping else {} -%}
  {%- set node_config = node.get('config') or {} -%}
  {%- set writes_table = node_config.get('materialized') not in (none, 'view', 'ephemeral') -%}
  {{- 'timestamp(6)' if writes_table and (node_config.get('table_type') or '') | lower == 'iceberg' else 'timestamp' -}}
{%- endmacro %}
