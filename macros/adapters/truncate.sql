{#-
  Iceberg deletes rows in place; Hive has no DELETE, so its files and partition entries are removed
  (through the S3 guard) and the table stays, empty.
-#}
{% macro athena_lite__truncate_relation(relation) -%}
  {%- if adapter.glue_table_type(relation) == 'iceberg' -%}
    {% call statement('truncate_relation') -%}
      delete from {{ relation }}
    {%- endcall %}
  {%- else -%}
    {% do adapter.empty_hive_table(relation) %}
  {%- endif -%}
{%- endmacro %}
