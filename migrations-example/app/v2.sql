-- What app v2 (state B) does: reads and writes users.email_address, filters orders by status.
SELECT id, name, email_address FROM users WHERE id = 1;
INSERT INTO users (name, email_address) VALUES ('v2 user', 'v2@example.com');
UPDATE users SET email_address = 'v2-changed@example.com' WHERE id = 2;
SELECT id, total_cents, status FROM orders WHERE status = 'new' LIMIT 5;
-- v2 shows every user's email_address, so it needs all of them filled.
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM users WHERE email_address IS NULL) THEN
    RAISE EXCEPTION 'some users have no email_address yet';
  END IF;
END $$;
