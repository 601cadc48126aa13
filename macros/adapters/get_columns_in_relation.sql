{#- Columns come from the Glue entry (impl.get_columns_in_relation), not from a query. -#}
{% macro athena_lite__get_columns_in_relation(relation) -%}
  {{ return(adapter.get_columns_in_relation(relation)) }}
{%- endmacro %}
