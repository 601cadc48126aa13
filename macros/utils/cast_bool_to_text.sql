{#- Trino renders booleans as 'true' / 'false'. -#}
{% macro athena_lite__cast_bool_to_text(field) -%}
  cast({{ field }} as varchar)
{%- endmacro %}
