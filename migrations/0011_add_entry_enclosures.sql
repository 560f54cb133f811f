-- Media attached to a post (RSS enclosure, Atom link rel="enclosure", JSON Feed attachments,
-- media:content): a JSON array of { url, type, length, title }, NULL when the post has none.
-- A column rather than a table: enclosures are read and written only with their entry, and every
-- page and merged feed reads them with it.
ALTER TABLE entries ADD COLUMN enclosures TEXT CHECK (enclosures IS NULL OR json_valid(enclosures));
