-- Iceberg merge incremental: the latest status per order, updated in place on each run.
{{
    config(
        materialized='incremental',
        table_type='iceberg',
        incremental_strategy='merge',
        unique_key='order_id',
        on_schema_change='append_new_columns'
    )
}}

select
    order_id,
    customer_id,
    status,
    order_date,
    current_timestamp as loaded_at
from {{ ref('stg_orders') }}
{% if is_incremental() %}
where order_date >= (select coalesce(max(order_date), date '1900-01-01') - interval '7' day from {{ this }})
{% endif %}
