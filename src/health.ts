// A feed's health at a glance, as admins and the sidebar show it.
import type { Feed } from './model.js';

/** gone: 410, polling stopped; erroring: last attempt failed; new: never fetched; inactive: no post lately. */
export type FeedHealth = 'ok' | 'erroring' | 'gone' | 'inactive' | 'new';

export function feedHealth(feed: Feed, latestPostAt: number | null, now: number, activityThresholdDays: number): FeedHealth {
  if (feed.status === 'gone') return 'gone';
  if (feed.errorCount > 0) return 'erroring';
  if (!feed.hasFetched) return 'new';
  if (latestPostAt === null || now - latestPostAt > activityThresholdDays * 86_400_000) return 'inactive';
  return 'ok';
}
