{#-
  Trino has no right(). A negative substr start counts from the end, but substr(s, -0) and starts
  before the first character give '' there: the start is computed from the length instead.
-#}
{% macro athena_lite__right(string_text, length_expression) -%}
  substr({{ string_text }}, greatest(length({{ string_text }}) - ({{ length_expression }}) + 1, 1))
{%- endmacro %}
