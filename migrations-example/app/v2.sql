-- What app v2 (state B) does: reads and writes users.email_address, filters orders by status.
-- `migrate rehearse` runs these after every step from the end of backfill through drop.
SELECT id, name, email_address FROM users WHERE id = 1;
INSERT INTO users (name, email_address) VALUES ('v2 user', 'v2@example.com');
UPDATE users SET email_address = 'v2-changed@example.com' WHERE id = 2;
-- assert
SELECT email_address = 'v2-changed@example.com' FROM users WHERE id = 2;
SELECT id, total_cents, status FROM orders WHERE status = 'new' LIMIT 5;
-- v2 shows every user's email_address, so it needs all of them filled.
-- assert
SELECT count(*) = 0 FROM users WHERE email_address IS NULL;
