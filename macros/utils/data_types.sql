{#-
  Types as Athena's SQL names them (Trino's names, not Hive DDL's): these go into CASTs and CTAS
  selects. `float` is double, as in most warehouses; Athena's 32-bit float is `real`.
-#}
{% macro athena_lite__type_string() -%}
  {{ return('varchar') }}
{%- endmacro %}

{% macro athena_lite__type_timestamp() -%}
  {{ return('timestamp') }}
{%- endmacro %}

{% macro athena_lite__type_float() -%}
  {{ return('double') }}
{%- endmacro %}

{% macro athena_lite__type_numeric() -%}
  {{ return('decimal(28,6)') }}
{%- endmacro %}

{% macro athena_lite__type_bigint() -%}
  {{ return('bigint') }}
{%- endmacro %}

{% macro athena_lite__type_int() -%}
  {{ return('integer') }}
{%- endmacro %}

{% macro athena_lite__type_boolean() -%}
  {{ return('boolean') }}
{%- endmacro %}
