{#
  The statements of each incremental strategy, as lists (Athena runs one statement per query).
  arg_dict is dbt's (target_relation, temp_relation, dest_columns, ...) plus `incremental_config`
  (incremental.IncrementalConfig) and `batch_filters` (none, or one condition per partition batch).
  Replacing partitions (Hive insert_overwrite and microbatch) is not SQL: the materialization points
  the target's partitions at the staging data in Glue (adapter.adopt_partitions).
#}
{% macro athena_lite__get_incremental_append_sql(arg_dict) -%}
  {{ return(athena_lite__insert_from_staging(arg_dict)) }}
{%- endmacro %}


{#- No statement: the staging partitions are adopted in Glue (see above). -#}
{% macro athena_lite__get_incremental_insert_overwrite_sql(arg_dict) -%}
  {{ return([]) }}
{%- endmacro %}


{#-
  A batch is replaced: on Hive by adopting the partitions its rows fall in (no statement); on Iceberg
  by deleting the batch's event-time window, then inserting, so a re-run never duplicates rows.
-#}
{% macro athena_lite__get_incremental_microbatch_sql(arg_dict) -%}
  {%- set statements = [] -%}
  {%- if arg_dict['incremental_config'].table_type == 'iceberg' -%}
    {%- do statements.append(athena_lite__delete_batch_window(arg_dict) | trim) -%}
    {%- do statements.extend(athena_lite__insert_from_staging(arg_dict)) -%}
  {%- endif -%}
  {{ return(statements) }}
{%- endmacro %}


{% macro athena_lite__delete_batch_window(arg_dict) -%}
  {%- set conditions = [athena_lite__batch_window(arg_dict['incremental_config'].event_time, arg_dict['target_relation'])] -%}
  {%- do conditions.extend(arg_dict['incremental_predicates'] or []) -%}
  delete from {{ arg_dict['target_relation'] }} where {{ conditions | join(' and ') }}
{%- endmacro %}


{#- The current microbatch batch as a condition on the event-time column: start <= t < end. -#}
{% macro athena_lite__batch_window(event_time, relation) -%}
  {%- set start = model.batch.event_time_start if model.batch else config.get('__dbt_internal_microbatch_event_time_start') -%}
  {%- set end = model.batch.event_time_end if model.batch else config.get('__dbt_internal_microbatch_event_time_end') -%}
  {%- if not start or not end -%}
    {%- do exceptions.raise_compiler_error('Microbatch model ' ~ relation.render_pure() ~ ' ran without a batch window; run it with dbt >= 1.9, which sets event_time_start and event_time_end') -%}
  {%- endif -%}
  {{ event_time }} >= {{ adapter.timestamp_literal(start) }} and {{ event_time }} < {{ adapter.timestamp_literal(end) }}
{%- endmacro %}


{#- INSERT INTO the target from the staging table: one statement, or one per partition batch. -#}
{% macro athena_lite__insert_from_staging(arg_dict) -%}
  {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
  {%- set statements = [] -%}
  {%- for condition in arg_dict['batch_filters'] or [none] -%}
    {%- set sql -%}
      insert into {{ arg_dict['target_relation'] }} ({{ columns }})
      select {{ columns }} from {{ arg_dict['temp_relation'] }}
      {%- if condition is not none %} where {{ condition }}{% endif %}
    {%- endset -%}
    {%- do statements.append(sql) -%}
  {%- endfor -%}
  {{ return(statements) }}
{%- endmacro %}
