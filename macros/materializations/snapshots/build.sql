{#-
  A snapshot table (first build or Hive rebuild) written as a table model is: planned, built
  under the temporary name when the target exists, swapped in (table_builds.py). A failed build
  is discarded and the current table stays. Past Athena's 100 partitions per query the build
  runs again in partition batches, as for table models.
-#}
{% macro athena_lite__snapshot_build(target_relation, select_sql) -%}
  {%- set plan = adapter.plan_table_build(target_relation, config.model.config, athena_lite__other_external_locations()) -%}
  {%- set build_relation = target_relation.incorporate(path={'identifier': plan.build_identifier}) -%}
  {%- set select_sql = athena_lite__table_select(select_sql, plan) -%}
  {%- set partitioned = plan.config.partitioned_by | length > 0 -%}
  {%- set response = none -%}
  {%- if not plan.config.force_batch -%}
    {%- set statements = athena_lite__table_build_statements(build_relation, select_sql, plan) -%}
    {%- set response = adapter.run_table_build(plan, statements, allow_batching=partitioned) -%}
  {%- endif -%}
  {%- if response is none -%}
    {%- set filters = athena_lite__partition_batch_filters(select_sql, plan) -%}
    {%- set statements = athena_lite__table_build_statements(build_relation, select_sql, plan, filters) -%}
    {%- set response = adapter.run_table_build(plan, statements, allow_batching=false) -%}
  {%- endif -%}
  {%- do write(statements | join(';\n\n')) -%}
  {%- do adapter.finish_table_build(plan) -%}
  {{ return(response) }}
{%- endmacro %}
