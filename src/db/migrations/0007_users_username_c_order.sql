-- /admin/users lists and searches accounts in byte order of lower(username)
-- (usernames are ASCII letters, digits, _ and -, so that is alphabetical).
-- One index on that expression in the "C" collation serves the keyset order
-- and username prefix searches (LIKE 'abc%' can use a "C" index), replacing
-- the text_pattern_ops index of 0004 for usernames.
CREATE INDEX "users_username_lower_c_idx" ON "users" USING btree ((lower("username") COLLATE "C"));--> statement-breakpoint
DROP INDEX IF EXISTS "users_username_lower_pattern_idx";
