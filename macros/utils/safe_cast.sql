{#- try_cast yields NULL where cast would fail the query. -#}
{% macro athena_lite__safe_cast(field, type) -%}
  try_cast({{ field }} as {{ type }})
{%- endmacro %}
