{#- An empty array needs its element type, given with a cast (Trino has no `::` syntax). -#}
{% macro athena_lite__array_construct(inputs, data_type) -%}
  {%- if inputs | length > 0 -%}
    array[{{ inputs | join(', ') }}]
  {%- else -%}
    cast(array[] as array({{ data_type }}))
  {%- endif -%}
{%- endmacro %}
