{#- Athena has last_day_of_month; other units take dbt's date arithmetic (through our dateadd). -#}
{% macro athena_lite__last_day(date, datepart) -%}
  {%- if datepart | trim("'\"") | lower == 'month' -%}
    last_day_of_month({{ date }})
  {%- else -%}
    {{ dbt.default_last_day(date, datepart) }}
  {%- endif -%}
{%- endmacro %}
