{#- Athena's md5 takes varbinary and returns varbinary; dbt's hash is md5's lowercase hex text. -#}
{% macro athena_lite__hash(field) -%}
  lower(to_hex(md5(to_utf8(cast({{ field }} as varchar)))))
{%- endmacro %}
