-- Singular test: every payment amount is positive.
select payment_id, amount
from {{ ref('stg_payments') }}
where amount < 0
