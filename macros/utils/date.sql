{% macro athena_lite__date(year, month, day) -%}
  {%- set day_value = modules.datetime.date(year, month, day) -%}
  date '{{ day_value.strftime("%Y-%m-%d") }}'
{%- endmacro %}
