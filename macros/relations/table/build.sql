{#
  The statements that build a table: one CTAS, or (past Athena's 100-partition limit) a CTAS of
  the first batch of partitions and one INSERT per further batch, each filtered on its partition
  values. Hive table_properties follow as ALTER TABLE, before the table is swapped in.
#}
{% macro athena_lite__table_build_statements(relation, sql, plan, batch_filters=none) -%}
  {%- set statements = [] -%}
  {%- if batch_filters is none -%}
    {%- do statements.append(athena_lite__ctas(relation, sql, plan.config, plan.build_location)) -%}
  {%- else -%}
    {%- for condition in batch_filters -%}
      {%- set batch_sql = 'select * from (' ~ sql ~ ') as model_batch where ' ~ condition -%}
      {%- if loop.first -%}
        {%- do statements.append(athena_lite__ctas(relation, batch_sql, plan.config, plan.build_location)) -%}
      {%- else -%}
        {%- do statements.append('insert into ' ~ relation ~ ' ' ~ batch_sql) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {%- if plan.config.property_strings and not plan.config.is_iceberg -%}
    {%- do statements.append(athena_lite__set_table_properties(relation, plan.config.property_strings)) -%}
  {%- endif -%}
  {{ return(statements) }}
{%- endmacro %}


{#-
  Run a table build: one CTAS, or (force_batch, or past Athena's partition limit) the same in
  partition batches. A failed build is discarded (adapter.run_table_build). Returns the response and
  the statements that ran. Table models and the staging tables of incremental models both use it.
-#}
{% macro athena_lite__run_table_build(build_relation, select_sql, plan) -%}
  {%- set response = none -%}
  {%- if not plan.config.force_batch -%}
    {%- set statements = athena_lite__table_build_statements(build_relation, select_sql, plan) -%}
    {%- set response = adapter.run_table_build(plan, statements, allow_batching=plan.config.partitioned_by | length > 0) -%}
  {%- endif -%}
  {%- if response is none -%}
    {%- set filters = athena_lite__partition_batch_filters(select_sql, plan) -%}
    {{ log('Building ' ~ build_relation.render_pure() ~ ' in ' ~ filters | length ~ ' partition batches', info=True) }}
    {%- set statements = athena_lite__table_build_statements(build_relation, select_sql, plan, filters) -%}
    {%- set response = adapter.run_table_build(plan, statements, allow_batching=false) -%}
  {%- endif -%}
  {{ return({'response': response, 'statements': statements}) }}
{%- endmacro %}


{#-
  One WHERE condition per batch of partitions the model's select writes. The column types let the
  filters compare typed values, which Athena can push down to the sources' partitions.
-#}
{% macro athena_lite__partition_batch_filters(sql, plan) -%}
  {%- set expressions = adapter.partition_batch_expressions(plan) -%}
  {%- set query -%}
    select distinct {{ expressions | join(', ') }}
    from ({{ sql }}) as model_partitions
    order by {% for _ in expressions %}{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}
  {%- endset -%}
  {%- set column_types = {} -%}
  {%- for column in get_column_schema_from_query(sql) -%}
    {%- do column_types.update({column.name: column.dtype}) -%}
  {%- endfor -%}
  {{ return(adapter.partition_batch_filters(plan, adapter.fetch_partition_values(query), column_types)) }}
{%- endmacro %}


{#-
  The model's select as the CTAS needs it: contract columns checked, and (Hive) the partition
  columns last, as Athena requires; reordered here instead of failing on HIVE_COLUMN_ORDER_MISMATCH.
-#}
{% macro athena_lite__table_select(sql, plan) -%}
  {%- if config.get('contract').enforced -%}
    {{ get_assert_columns_equivalent(sql) }}
    {%- set sql = get_select_subquery(sql) -%}
  {%- endif -%}
  {%- if plan.config.partitioned_by and not plan.config.is_iceberg -%}
    {%- set columns = get_columns_in_query(sql) -%}
    {%- set ordered = adapter.columns_partitions_last(columns, plan.config.partitioned_by) -%}
    {%- if ordered is not none -%}
      {%- set sql -%}
        select {% for column in ordered %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor %}
        from ({{ sql }}) as model_columns
      {%- endset -%}
    {%- endif -%}
  {%- endif -%}
  {{ return(sql) }}
{%- endmacro %}


{#- Other models' external_location, so that two models never share (and delete) one directory. -#}
{% macro athena_lite__other_external_locations() -%}
  {%- set found = {} -%}
  {%- if graph is defined -%}
    {%- for node in graph.nodes.values() -%}
      {%- set location = node.config.get('external_location') -%}
      {%- if location and node.unique_id != model.unique_id -%}
        {%- do found.update({node.unique_id: location}) -%}
      {%- endif -%}
    {%- endfor -%}
  {%- endif -%}
  {{ return(found) }}
{%- endmacro %}
