{#
  Snapshots on Athena. dbt's strategies and its change detection (snapshot_staging_table) decide
  which rows are new and which current rows close; how the changes reach the table differs:
  - Iceberg: one MERGE, as dbt does everywhere (Athena commits it atomically).
  - Hive has no UPDATE: the whole history plus the changes is written to a new table beside the
    current one and swapped in with the table materialization's build (table_builds.py). The target
    is never missing or partly written, and a run that fails at any step leaves it as it was, its
    full history included.
  The changes are never stored in a staging table: both paths read them as a subquery.
#}
{% materialization snapshot, adapter='athena_lite' -%}
  {%- set target_exists, target_relation = get_or_create_relation(
        database=model.database, schema=model.schema,
        identifier=model.get('alias', model.get('name')), type='table') -%}
  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks) }}

  {%- set strategy = strategy_dispatch(config.get('strategy'))(model, 'snapshotted_data', 'source_data', model['config'], target_exists) -%}
  {%- set names = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}

  {%- if not target_exists -%}
    {%- set changes = athena_lite__snapshot_changes(build_snapshot_table(strategy, model['compiled_code']), names) -%}
    {%- set response = athena_lite__snapshot_build(target_relation, changes.sql) -%}
  {%- else -%}
    {{ adapter.assert_valid_snapshot_target_given_strategy(target_relation, names, strategy) }}
    {%- set changes = athena_lite__snapshot_changes(snapshot_staging_table(strategy, sql, target_relation), names) -%}
    {%- if adapter.glue_table_type(target_relation) == 'iceberg' and adapter.check_table_config(config.model.config).is_iceberg -%}
      {%- set response = athena_lite__snapshot_merge(target_relation, changes, names) -%}
    {%- else -%}
      {%- set rebuild_sql = athena_lite__snapshot_rebuild_sql(target_relation, changes, names) -%}
      {%- set response = athena_lite__snapshot_build(target_relation, rebuild_sql) -%}
    {%- endif -%}
  {%- endif -%}
  {% do store_result('main', response=response) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
