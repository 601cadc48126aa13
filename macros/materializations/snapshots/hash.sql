{#-
  dbt_scd_id: Athena's md5 takes varbinary. Upper-case hex as dbt-athena writes it, so a snapshot
  it built keeps ids of one form.
-#}
{% macro athena_lite__snapshot_hash_arguments(args) -%}
  to_hex(md5(to_utf8(
  {%- for arg in args -%}
    coalesce(cast({{ arg }} as varchar), ''){{ " || '|' || " if not loop.last }}
  {%- endfor -%}
  )))
{%- endmacro %}
