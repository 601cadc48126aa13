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

  {%- set build = athena_lite__run_table_build(build_relation, athena_lite__table_select(sql, plan), plan) -%}
  {% do store_result('main', response=build.response) %}
  {#- What ran, where dbt users look for it (target/run/). -#}
  {% do write(build.statements | join(';\n\n')) %}

  {% do adapter.finish_table_build(plan) %}
  {%- if existing_relation is not none and existing_relation.is_view -%}
    {{ log('Replaced view ' ~ existing_relation.render_pure() ~ ' with a table', info=True) }}
    {% do adapter.cache_dropped(existing_relation) %}
  {%- endif %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
