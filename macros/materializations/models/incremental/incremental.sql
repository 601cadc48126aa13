{#
  Incremental models. The first build, a --full-refresh and a view being replaced go through the
  table build and its safe swap (table_builds.py). Otherwise the new rows are built into a staging
  table, the target's schema is brought in line (on_schema_change), and the strategy's statements
  write them into the target. A Hive insert_overwrite (and microbatch) runs no statement: its staging
  table is written inside the target's location and the target's partitions are pointed at its data
  in Glue (incremental_runs.py), so no partition is ever missing. The staging table is dropped by the
  adapter after the model, also when it fails (post_model_hook).
#}
{% materialization incremental, adapter='athena_lite' -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {#- Every config is checked before anything runs, on the first build too. -#}
  {%- set plan = adapter.plan_incremental(target_relation, config.model.config) -%}
  {%- set full_build = existing_relation is none or existing_relation.is_view or should_full_refresh() -%}
  {%- if full_build -%}
    {%- set table_plan = adapter.plan_table_build(target_relation, config.model.config, athena_lite__other_external_locations()) -%}
  {%- endif -%}

  {{ run_hooks(pre_hooks) }}

  {%- if full_build -%}
    {%- set build_relation = target_relation.incorporate(path={'identifier': table_plan.build_identifier}) -%}
    {%- set build = athena_lite__run_table_build(build_relation, athena_lite__table_select(sql, table_plan), table_plan) -%}
    {% do adapter.finish_table_build(table_plan) %}
    {%- if existing_relation is not none and existing_relation.is_view -%}
      {% do adapter.cache_dropped(existing_relation) %}
    {%- endif -%}
  {%- else -%}
    {%- set build = athena_lite__incremental_update(target_relation, existing_relation, plan, sql) -%}
  {%- endif -%}
  {% do store_result('main', response=build.response) %}
  {#- What ran, where dbt users look for it (target/run/). -#}
  {% do write(build.statements | join(';\n\n')) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}


{#-
  One incremental run into an existing table: staging build, schema sync, then the partitions adopted
  (Hive insert_overwrite, microbatch) or the strategy's statements. Iceberg statements commit all or
  nothing, so past the partition limit they run again in batches; Hive INSERTs are batched up front
  instead (a failed one may leave files behind).
-#}
{% macro athena_lite__incremental_update(target_relation, existing_relation, plan, sql) -%}
  {%- set staging_relation = target_relation.incorporate(path={'identifier': plan.staging.identifier}) -%}
  {%- set staged = athena_lite__run_table_build(staging_relation, athena_lite__table_select(sql, plan.staging), plan.staging) -%}

  {%- set dest_columns = process_schema_changes(plan.config.on_schema_change, staging_relation, existing_relation) -%}
  {%- if not dest_columns -%}
    {%- set dest_columns = adapter.get_columns_in_relation(existing_relation) -%}
  {%- endif -%}
  {%- if plan.config.unique_key and plan.config.strategy in ('append', 'insert_overwrite') -%}
    {{ log(target_relation.render_pure() ~ ": unique_key has no effect with incremental_strategy='" ~ plan.config.strategy ~ "'; rows are not deduplicated (use table_type='iceberg' and incremental_strategy='merge' to upsert)", info=True) }}
  {%- endif -%}

  {%- set staging_sql = 'select * from ' ~ staging_relation -%}
  {%- if plan.config.replaces_partitions -%}
    {%- if plan.config.strategy == 'microbatch' and adapter.staging_partition_count(plan) > 0 -%}
      {%- do athena_lite__check_batch_partitions(target_relation, staging_sql, plan) -%}
    {%- endif -%}
    {%- do adapter.adopt_partitions(plan, target_relation) -%}
    {{ return({'response': staged.response, 'statements': staged.statements}) }}
  {%- endif -%}

  {%- set strategy_sql = adapter.get_incremental_strategy_macro(context, plan.config.strategy) -%}
  {%- set arg_dict = {
      'target_relation': target_relation,
      'temp_relation': staging_relation,
      'unique_key': plan.config.unique_key,
      'dest_columns': dest_columns,
      'incremental_predicates': plan.config.incremental_predicates,
      'incremental_config': plan.config,
      'batch_filters': none,
  } -%}
  {%- if adapter.needs_partition_batches(plan) -%}
    {%- do arg_dict.update({'batch_filters': athena_lite__partition_batch_filters(staging_sql, plan.batching)}) -%}
  {%- endif -%}
  {%- set statements = strategy_sql(arg_dict) -%}
  {%- set response = adapter.run_incremental_statements(statements, allow_batching=plan.target.is_iceberg and arg_dict.batch_filters is none) -%}
  {%- if response is none -%}
    {%- do arg_dict.update({'batch_filters': athena_lite__partition_batch_filters(staging_sql, plan.batching)}) -%}
    {{ log(target_relation.render_pure() ~ ': writing in ' ~ arg_dict.batch_filters | length ~ ' partition batches', info=True) }}
    {%- set statements = strategy_sql(arg_dict) -%}
    {%- set response = adapter.run_incremental_statements(statements) -%}
  {%- endif -%}
  {{ return({'response': response, 'statements': statements}) }}
{%- endmacro %}


{#-
  A Hive microbatch replaces whole partitions. Partitions coarser than the batch (a month for a
  daily batch) also hold other batches' rows, which the replacement would lose: refuse instead.
-#}
{% macro athena_lite__check_batch_partitions(target_relation, staging_sql, plan) -%}
  {%- set filters = athena_lite__partition_batch_filters(staging_sql, plan.batching) -%}
  {%- set query -%}
    select count(*) from {{ target_relation }}
    where ({{ filters | join(' or ') }})
      and not ({{ athena_lite__batch_window(plan.config.event_time, target_relation) }})
  {%- endset -%}
  {%- set outside = run_query(query).columns[0].values()[0] -%}
  {%- if outside > 0 -%}
    {%- do exceptions.raise_compiler_error(
        'Microbatch model ' ~ target_relation.render_pure() ~ ': the partitions this batch replaces also hold '
        ~ outside ~ ' rows outside the batch, which would be lost. Partition by the event time at the grain of '
        ~ "batch_size or finer (e.g. partitioned_by=['event_date'] with batch_size='day'), then run with --full-refresh"
    ) -%}
  {%- endif -%}
{%- endmacro %}
