{#-
  Athena: array_agg accepts its own ORDER BY, array_join concatenates, slice limits. The order
  clause arrives as text ("order by x desc"); the delimiter as a SQL string literal.
-#}
{% macro athena_lite__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
  {%- set aggregated = 'array_agg(' ~ measure ~ (' ' ~ order_by_clause if order_by_clause else '') ~ ')' -%}
  {%- if limit_num -%}
    {%- set aggregated = 'slice(' ~ aggregated ~ ', 1, ' ~ limit_num ~ ')' -%}
  {%- endif -%}
  array_join({{ aggregated }}, {{ delimiter_text }})
{%- endmacro %}
