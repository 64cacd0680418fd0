-- State A: the schema the example migrations start from, with some data.
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id),
  total_cents integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users (name, email)
SELECT 'user ' || g, 'user' || g || '@example.com' FROM generate_series(1, 5000) AS g;

INSERT INTO orders (user_id, total_cents)
SELECT 1 + (g % 5000), 100 + (g * 37) % 10000 FROM generate_series(1, 20000) AS g;
