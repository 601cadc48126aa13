{#
  Athena has no COMMENT ON statement; descriptions go straight into the Glue table entry (one GetTable,
  at most one UpdateTable), for tables and views alike. Documented columns the relation lacks are
  reported with dbt's own warning.
#}
{% macro athena_lite__persist_docs(relation, model, for_relation, for_columns) -%}
  {%- set description = model.description if for_relation and config.persist_relation_docs() else none -%}
  {%- set columns = model.columns if for_columns and config.persist_column_docs() else {} -%}
  {%- if description or columns -%}
    {%- set missing = adapter.persist_docs_to_glue(relation, description or none, columns) -%}
    {%- if missing -%}
      {{ exceptions.warn("In relation " ~ relation.render() ~ ": The following columns are specified in the schema but are not present in the database: " ~ missing | join(", ")) }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}
