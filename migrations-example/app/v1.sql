-- What app v1 (state A) does: reads and writes users.email.
-- `migrate rehearse` runs these after every step until contract begins.
SELECT id, name, email FROM users WHERE id = 1;
INSERT INTO users (name, email) VALUES ('v1 user', 'v1@example.com');
UPDATE users SET email = 'v1-changed@example.com' WHERE id = 2;
-- assert
SELECT email = 'v1-changed@example.com' FROM users WHERE id = 2;
SELECT id, total_cents FROM orders WHERE user_id = 1;
