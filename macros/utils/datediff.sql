{#
  dbt counts the unit boundaries crossed (23:59:59 to 00:00:00 is one day), Trino's date_diff the
  whole units elapsed: both ends are truncated to the unit first. Arguments are cast to
  timestamp(6) so string literals work and microseconds survive (a plain timestamp is milliseconds).
  Trino has no microsecond unit: that one is computed from epoch seconds (doubles, rounded).
#}
{% macro athena_lite__datediff(first_date, second_date, datepart) -%}
  {%- set unit = datepart | trim("'\"") | lower -%}
  {%- set first = 'cast(' ~ first_date ~ ' as timestamp(6))' -%}
  {%- set second = 'cast(' ~ second_date ~ ' as timestamp(6))' -%}
  {%- if unit == 'microsecond' -%}
    cast(round((to_unixtime({{ second }}) - to_unixtime({{ first }})) * 1000000) as bigint)
  {%- else -%}
    date_diff('{{ unit }}', date_trunc('{{ unit }}', {{ first }}), date_trunc('{{ unit }}', {{ second }}))
  {%- endif -%}
{%- endmacro %}
