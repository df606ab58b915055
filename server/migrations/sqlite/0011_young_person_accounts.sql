-- A family account is either a parent or carer's, or the young person's own (issue 16): their home page
-- says "Your child's review" or "Your review".
ALTER TABLE users ADD COLUMN young_person INTEGER NOT NULL DEFAULT 0;
