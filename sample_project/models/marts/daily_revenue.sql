-- Hive insert_overwrite incremental: re-runs replace exactly the days they touch.
{{
    config(
        materialized='incremental',
        incremental_strategy='insert_overwrite',
        partitioned_by=['order_date']
    )
}}

select
    count(distinct orders.order_id) as orders,
    sum(payments.amount) as revenue,
    orders.order_date
from {{ ref('stg_orders') }} as orders
inner join {{ ref('stg_payments') }} as payments on orders.order_id = payments.order_id
{% if is_incremental() %}
where orders.order_date >= (select max(order_date) - interval '3' day from {{ this }})
{% endif %}
group by orders.order_date
