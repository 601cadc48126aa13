{#
  A table is built beside the current one and swapped in (table_builds.py / table_swap.py): the
  target is never missing or half-built, and a failed build leaves it untouched, its own objects
  removed. Every S3 delete goes through the S3 guard, checked before the first query runs.
#}
{% materialization table, adapter='athena_lite' -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set plan = adapter.plan_table_build(target_relation, config.model.config, athena_lite__other_external_locations()) -%}
  {%- set build_relation = target_relation.incorporate(path={'identifier': plan.build_identifier}) -%}

  {{ run_hooks(pre_hooks) }}

  {%- set select_sql = athena_lite__table_select(sql, plan) -%}
  {%- set response = none -%}
  {%- if not plan.config.force_batch -%}
    {%- set statements = athena_lite__table_build_statements(build_relation, select_sql, plan) -%}
    {%- set response = adapter.run_table_build(plan, statements, allow_batching=plan.config.partitioned_by | length > 0) -%}
  {%- endif -%}
  {%- if response is none -%}
    {%- set filters = athena_lite__partition_batch_filters(select_sql, plan) -%}
    {{ log('Building ' ~ target_relation.render_pure() ~ ' in ' ~ filters | length ~ ' partition batches', info=True) }}
    {%- set statements = athena_lite__table_build_statements(build_relation, select_sql, plan, filters) -%}
    {%- set response = adapter.run_table_build(plan, statements, allow_batching=false) -%}
  {%- endif -%}
  {% do store_result('main', response=response) %}
  {#- What ran, where dbt users look for it (target/run/). -#}
  {% do write(statements | join(';\n\n')) %}

  {% do adapter.finish_table_build(plan) %}
  {%- if existing_relation is not none and existing_relation.is_view -%}
    {{ log('Replaced view ' ~ existing_relation.render_pure() ~ ' with a table', info=True) }}
    {% do adapter.cache_dropped(existing_relation) %}
  {%- endif %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
