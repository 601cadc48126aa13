{#-
  Trino's split_part counts from 1 only; dbt's part_number may be negative (from the end), which
  element_at over the split array handles. Both give NULL past the last part.
-#}
{% macro athena_lite__split_part(string_text, delimiter_text, part_number) -%}
  {%- if part_number is number and part_number < 0 -%}
    element_at(split({{ string_text }}, {{ delimiter_text }}), {{ part_number }})
  {%- else -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
  {%- endif -%}
{%- endmacro %}
