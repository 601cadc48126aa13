{#
  Athena's CTAS. Hive and Iceberg take different property names for the same ideas
  (external_location / location, partitioned_by / partitioning). The location always comes from
  the adapter (locations.py), never from Athena's default: dbt must know where the data is to swap
  and delete it safely.
#}
{% macro athena_lite__create_table_as(temporary, relation, sql) -%}
  {%- set table_config = adapter.check_table_config(config.model.config) -%}
  {%- set location = adapter.new_table_location(relation, config.model.config, temporary) -%}
  {{ athena_lite__ctas(relation, sql, table_config, location) }}
{%- endmacro %}


{% macro athena_lite__ctas(relation, sql, table_config, location) -%}
  create table {{ relation }}
  with (
  {%- if table_config.is_iceberg %}
    table_type='ICEBERG',
    is_external=false,
    location='{{ location }}',
    {%- if table_config.partitioned_by %}
    partitioning={{ athena_lite__array_literal(table_config.partitioned_by) }},
    {%- endif %}
  {%- else %}
    external_location='{{ location }}',
    {%- if table_config.partitioned_by %}
    partitioned_by={{ athena_lite__array_literal(table_config.partitioned_by) }},
    {%- endif %}
    {%- if table_config.bucketed_by %}
    bucketed_by={{ athena_lite__array_literal(table_config.bucketed_by) }},
    bucket_count={{ table_config.bucket_count }},
    {%- endif %}
    {%- if table_config.field_delimiter is not none %}
    field_delimiter={{ athena_lite__quoted_literal(table_config.field_delimiter) }},
    {%- endif %}
  {%- endif %}
  {%- if table_config.write_compression is not none %}
    write_compression='{{ table_config.write_compression | upper }}',
  {%- endif %}
  {%- if table_config.is_iceberg %}
    {%- for name, value in table_config.property_literals.items() %}
    {{ name }}={{ value }},
    {%- endfor %}
  {%- endif %}
    format='{{ table_config.format | upper }}'
  )
  as
  {{ sql }}
{%- endmacro %}


{#- Hive CTAS takes no custom properties: they are set on the new table afterwards. -#}
{% macro athena_lite__set_table_properties(relation, properties) -%}
  alter table {{ relation.render_hive() }} set tblproperties (
  {%- for name, value in properties.items() %}
    {{ athena_lite__quoted_literal(name) }}={{ athena_lite__quoted_literal(value) }}{{ "," if not loop.last }}
  {%- endfor %}
  )
{%- endmacro %}


{% macro athena_lite__array_literal(values) -%}
  ARRAY[{% for value in values %}{{ athena_lite__quoted_literal(value) }}{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}


{#- A SQL string literal of any value, quotes escaped (not dbt's string_literal, which expects escaped text). -#}
{% macro athena_lite__quoted_literal(value) -%}
  '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
