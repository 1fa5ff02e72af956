-- ops/claim-cycle: Peil's own schema (peil db migrate) filled with :tasks queued reach tasks on addresses of their own.
INSERT INTO measurements (sets) VALUES ('{claim-cycle}');
INSERT INTO tasks (measurement_id, kind, domain_id, domain, web_host, family, address, endpoint_key, target)
SELECT 1, 'reach', NULL, 'h' || n || '.test', 'h' || n || '.test', 'ipv4', '198.18.' || (n >> 8) % 256 || '.' || n % 256 || '/' || n, 'k' || n,
       jsonb_build_object('address', '198.18.0.1', 'family', 'ipv4', 'host', 'h' || n || '.test')
FROM generate_series(1, :tasks) n;
VACUUM ANALYZE tasks;
