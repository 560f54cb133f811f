-- Each post's own categories and language, filter rules (per feed; the planet's live in the config
-- file) and the rule that hid a post. Filtered posts stay stored: changing the rules re-applies them
-- to what is stored, without refetching, and never deletes (src/subscriptions/filter-rules.ts).

-- JSON array of { term, scheme, label } in document order; NULL when the post names none.
ALTER TABLE entries ADD COLUMN categories TEXT;
-- BCP 47 tag: the post's xml:lang / JSON Feed language, else its feed's; NULL when unknown.
ALTER TABLE entries ADD COLUMN language TEXT;
-- The rule that hides the post (an exclude rule, or "not included: …" when include rules exist and
-- none matched) and where that rule is set. NULL: no rule hides it.
ALTER TABLE entries ADD COLUMN filter_rule TEXT;
ALTER TABLE entries ADD COLUMN filter_scope TEXT CHECK (filter_scope IN ('planet', 'feed'));

-- The feed's own language, as its last document declared it.
ALTER TABLE feeds ADD COLUMN language TEXT;
-- JSON { include: [RULE…], exclude: [RULE…] }; NULL: the feed has no rules of its own.
ALTER TABLE feeds ADD COLUMN filters TEXT;
-- What the config file's feeds[].filters said when last applied: the file's rules are applied when
-- they change in the file, and an admin's later edit is not undone by a restart.
ALTER TABLE feeds ADD COLUMN config_filters TEXT;

-- Small facts about the planet as a whole (e.g. the planet-wide filter rules last applied).
CREATE TABLE planet_state (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
