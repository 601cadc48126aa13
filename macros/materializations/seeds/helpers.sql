{#
  Seeds on Athena. dbt's own seed materialization runs; these are the steps it dispatches to.

  The CSV goes to S3 at a temporary location under the naming convention, an external OpenCSVSerde
  table reads it, and the seed table is built from it exactly as a table model is (Parquet, or
  Iceberg with table_type='iceberg'; built beside the current one and swapped in), every column cast
  to its seed type. The CSV table and its file are removed afterwards.
  The data never travels in SQL text: dbt's batched INSERTs would cost one Athena query per batch,
  within a 262,144-byte limit per statement.
#}

{% macro athena_lite__create_csv_table(model, agate_table) -%}
  {{ return(athena_lite__build_seed_table(agate_table)) }}
{%- endmacro %}


{#- A re-seed is a rebuild like any table's: if it fails, the current seed table stays as it was. -#}
{% macro athena_lite__reset_csv_table(model, full_refresh, old_relation, agate_table) -%}
  {{ return(athena_lite__build_seed_table(agate_table)) }}
{%- endmacro %}


{#- The rows were loaded by the build in create/reset_csv_table: there is nothing left to insert. -#}
{% macro athena_lite__load_csv_rows(model, agate_table) -%}
  {{ return('') }}
{%- endmacro %}


{% macro athena_lite__build_seed_table(agate_table) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set plan = adapter.plan_table_build(target_relation, config.model.config, {}) -%}
  {%- set csv_relation = make_temp_relation(target_relation, '__dbt_seed_csv') -%}

  {#- A CSV table left by a seed that failed half-way would block the CREATE below. -#}
  {%- do adapter.drop_relation(csv_relation) -%}
  {%- set csv_location = adapter.new_table_location(csv_relation, config.model.config, true) -%}
  {%- do adapter.upload_seed_csv(csv_location, agate_table, this.render_pure(), config.get('seed_s3_upload_args')) -%}
  {% call statement('seed_csv_table') -%}
    {{ athena_lite__create_seed_csv_table(csv_relation, agate_table.column_names, csv_location) }}
  {%- endcall %}

  {%- set build_relation = target_relation.incorporate(path={'identifier': plan.build_identifier}) -%}
  {#- As for table models: Hive partition columns go last. -#}
  {%- set select_sql = athena_lite__table_select(athena_lite__seed_select(csv_relation, agate_table, plan.config.is_iceberg), plan) -%}
  {#- Past Athena's 100 partitions per query, in batches, as for table models. -#}
  {%- set build = athena_lite__run_table_build(build_relation, select_sql, plan) -%}
  {%- do adapter.finish_table_build(plan) -%}

  {%- do adapter.drop_relation(csv_relation) -%}
  {{ return(build.statements | join(';\n')) }}
{%- endmacro %}


{% macro athena_lite__create_seed_csv_table(relation, column_names, location) -%}
  create external table {{ relation.render_hive() }} (
    {%- for name in column_names %}
    `{{ name }}` string{{ ',' if not loop.last }}
    {%- endfor %}
  )
  row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
  location '{{ location }}'
  tblproperties ('skip.header.line.count' = '1')
{%- endmacro %}


{#- Every text column cast to its seed type; an empty field is NULL, as dbt reads seeds. -#}
{% macro athena_lite__seed_select(csv_relation, agate_table, is_iceberg) -%}
  {%- set column_types = config.get('column_types') or {} -%}
  select
  {%- for name in agate_table.column_names %}
    {%- set seed_type = column_types.get(name, adapter.convert_type(agate_table, loop.index0)) | trim -%}
    {#- Hive's `string` is `varchar` in Athena SQL; Iceberg refuses millisecond timestamps. -#}
    {%- set seed_type = 'varchar' if seed_type | lower == 'string' else seed_type -%}
    {%- set seed_type = 'timestamp(6)' if is_iceberg and seed_type | lower == 'timestamp' else seed_type %}
    cast(nullif({{ adapter.quote(name) }}, '') as {{ seed_type }}) as {{ adapter.quote(name) }}{{ ',' if not loop.last }}
  {%- endfor %}
  from {{ csv_relation }}
{%- endmacro %}
