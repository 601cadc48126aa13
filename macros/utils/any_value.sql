{#- `arbitrary` is the name every Athena engine version knows. -#}
{% macro athena_lite__any_value(expression) -%}
  arbitrary({{ expression }})
{%- endmacro %}
