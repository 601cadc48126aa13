-- An Iceberg table partitioned by a transform of a column.
{{ config(table_type='iceberg', partitioned_by=['day(paid_at)'], format='parquet') }}

select
    payment_id,
    order_id,
    payment_method,
    amount,
    paid_at
from {{ ref('stg_payments') }}
