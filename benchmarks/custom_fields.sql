-- Custom fields and values for the queue benchmarks (benchmarks/README.md, issue 11 item 8).
-- psql "$DB" -v org=1 -f benchmarks/custom_fields.sql   (org: the seeded demo organization's id)
INSERT INTO custom_fields (organization_id, key, label, type, options, required_on_resolve, position, archived, created_at, updated_at) VALUES
 (:org, 'plan', 'Plan', 'select', '["Free","Pro","Team"]', false, 1, false, now(), now()),
 (:org, 'product', 'Product', 'multiselect', '["Invoices","Payroll","Reports"]', false, 2, false, now(), now()),
 (:org, 'amount', 'Amount', 'number', '[]', false, 3, false, now(), now())
ON CONFLICT DO NOTHING;
-- Pro on 1 % of tickets, Team on 10 %, Free on 40 %; a product on 30 %; an amount on half.
UPDATE tickets SET custom_fields = jsonb_strip_nulls(jsonb_build_object(
  'plan', CASE WHEN id % 100 = 0 THEN 'Pro' WHEN id % 10 = 1 THEN 'Team' WHEN id % 10 IN (2,3,4,5) THEN 'Free' END,
  'product', CASE WHEN id % 10 IN (0,6,7) THEN jsonb_build_array(CASE WHEN id % 20 = 0 THEN 'Reports' ELSE 'Invoices' END) END,
  'amount', CASE WHEN id % 2 = 0 THEN (id % 1000) END))
WHERE organization_id = :org;
VACUUM ANALYZE tickets;
