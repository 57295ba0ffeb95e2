-- The health-personnel qualification of a user (specialist, physician, gp, other): what a
-- decision such as a LAR admission requires. Set by an org-admin or the CLI; to be filled
-- from the health personnel register (HPR) when that integration exists.
ALTER TABLE users ADD COLUMN qualification TEXT NOT NULL DEFAULT 'other';
