{#
  Contracts on Athena: dbt's check of column names and types, for tables and views alike.
  Athena's DDL carries no constraints (a CTAS or a view has no column definitions), so the declared
  ones are passed through dbt's own constraint rendering only for what it reports: each is named as
  not enforced (not_null) or not supported (the others), per the adapter's CONSTRAINT_SUPPORT.
#}
{% macro athena_lite__get_assert_columns_equivalent(sql) -%}
  {%- do adapter.render_raw_columns_constraints(raw_columns=model['columns']) -%}
  {%- do adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
  {{ return(assert_columns_equivalent(sql)) }}
{%- endmacro %}
