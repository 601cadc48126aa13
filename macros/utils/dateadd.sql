{#- Trino's date_add takes the unit as a string and keeps the argument's type (date stays date). -#}
{% macro athena_lite__dateadd(datepart, interval, from_date_or_timestamp) -%}
  date_add('{{ datepart | trim("'\"") | lower }}', {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
