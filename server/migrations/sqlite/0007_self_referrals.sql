-- Counting an area's recent entries of one action (self-referrals from the public form are limited per area).
CREATE INDEX audit_by_area_action ON audit (area_id, action, at);
