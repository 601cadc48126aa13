-- A partitioned Hive table: one S3 folder per month, the partition column last.
{{ config(partitioned_by=['order_month']) }}

{% set payment_methods = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'] %}

with payments as (
    select
        order_id,
        {% for method in payment_methods -%}
        sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount,
        {% endfor -%}
        sum(amount) as total_amount
    from {{ ref('stg_payments') }}
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    orders.status,
    {% for method in payment_methods -%}
    coalesce(payments.{{ method }}_amount, 0) as {{ method }}_amount,
    {% endfor -%}
    coalesce(payments.total_amount, 0) as amount,
    date_format(orders.order_date, '%Y-%m') as order_month
from {{ ref('stg_orders') }} as orders
left join payments on orders.order_id = payments.order_id
