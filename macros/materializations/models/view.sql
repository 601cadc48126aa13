{#
  Athena replaces a view in one statement (`create or replace view`), so there is no intermediate
  view to rename: the view is never missing, and there is nothing to clean up after a failure.
#}
{% materialization view, adapter='athena_lite' -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}

  {{ run_hooks(pre_hooks) }}

  {%- if existing_relation is not none and not existing_relation.is_view -%}
    {#- A table cannot become a view in place; its catalog entry goes first (its data stays in S3). -#}
    {{ log('Replacing table ' ~ existing_relation.render_pure() ~ ' with a view', info=True) }}
    {% do adapter.drop_relation(existing_relation) %}
  {%- endif -%}

  {% call statement('main') -%}
    {{ get_create_view_as_sql(target_relation, sql) }}
  {%- endcall %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
