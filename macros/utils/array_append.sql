{#- Trino has no array_append: concatenate a one-element array. -#}
{% macro athena_lite__array_append(array, new_element) -%}
  concat({{ array }}, array[{{ new_element }}])
{%- endmacro %}
