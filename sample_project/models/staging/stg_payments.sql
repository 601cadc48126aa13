select
    id as payment_id,
    order_id,
    payment_method,
    -- amounts are stored in cents
    cast(amount as decimal(12, 2)) / 100 as amount,
    paid_at
from {{ ref('raw_payments') }}
