{#- Athena cannot rename Hive tables or views: the Glue entry is copied under the new name. -#}
{% macro athena_lite__rename_relation(from_relation, to_relation) -%}
  {% do adapter.rename_relation(from_relation, to_relation) %}
{%- endmacro %}
