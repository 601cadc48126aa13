{#- A table's data goes with it, through the S3 guard; a view is only a catalog entry. -#}
{% macro athena_lite__drop_relation(relation) -%}
  {% do adapter.drop_relation(relation) %}
{%- endmacro %}
