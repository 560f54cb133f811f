// The subscription a route's `:id` names, the same way for the admin pages and the API.
import { idParam } from '../admin/schemas.js';
import { getFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import type { Feed } from '../model.js';

/** The live (not removed) subscription whose id is `idText`, or undefined: the route answers 404. */
export function liveFeedParam(db: Db, idText: string): Feed | undefined {
  const id = idParam.safeParse(idText);
  const feed = id.success ? getFeed(db, id.data) : undefined;
  return feed && feed.status !== 'removed' ? feed : undefined;
}
