// The publisher's side of WebSub: after a pass or a push changed what the merged feeds show, tell
// websub.hub (hub.mode=publish, the feed's URL as hub.url and hub.topic: hubs read one or the other)
// for the merged feeds and the feeds of the changed blogs' tags. Bounded, and never an error.
import type { Config } from '../config.js';
import { getFeed } from '../db/feeds.js';
import type { Db } from '../db/open.js';
import { feedTopics } from '../site/feed-urls.js';
import { inBatches, type HubContext, type HubRequestReport } from './hub-context.js';
import { postToHub } from './hub-request.js';

/** Publish pings in flight at once; each tried twice at most. */
const PUBLISH_CONCURRENCY = 4;
const PUBLISH_ATTEMPTS = 2;

/** The topics a change in these feeds touches: every format of the merged feed and of their tags' feeds. */
export function changedTopics(db: Db, config: Config, changedFeedIds: Iterable<number>): string[] {
  const ids = [...new Set(changedFeedIds)];
  if (ids.length === 0) return [];
  const tags = ids.flatMap((id) => getFeed(db, id)?.tags ?? []);
  return feedTopics(config.planet.link, tags);
}

/** hub.mode=publish for every topic the changed feeds touch; one report per request. */
export async function publishChangedFeeds(db: Db, config: Config, changedFeedIds: Iterable<number>, ctx: HubContext): Promise<HubRequestReport[]> {
  const hub = config.websub.hub;
  if (!hub) return [];
  const topics = changedTopics(db, config, changedFeedIds);
  return inBatches(topics, PUBLISH_CONCURRENCY, async (topic): Promise<HubRequestReport> => {
    const response = await postToHub(hub, { 'hub.mode': 'publish', 'hub.url': topic, 'hub.topic': topic }, { ...ctx.request, attempts: PUBLISH_ATTEMPTS });
    return {
      mode: 'publish',
      hub,
      topic,
      feed_id: null,
      outcome: response.kind,
      http_status: response.status,
      error: response.kind === 'error' ? response.message : null,
    };
  });
}
