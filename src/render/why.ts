// Pure: the /why page ("Why isn't my post here?") and the /suggest pages, as HTML strings, in the
// reader site's layout.
import type { WhyAnswer, WhyReason } from '../site/why.js';
import { relativeHref } from './links.js';
import { layoutView, mergedAlternates, type SiteInfo } from './pages.js';
import type { Templates } from './templates.js';

/** Headings for each answer, in the planet's own words. */
const REASON_HEADINGS: Record<WhyReason, string> = {
  not_in_feed: 'Not in any subscribed feed',
  feed_failing: 'Its feed is failing',
  backlog: 'Beyond a new feed’s backlog',
  expired: 'Expired by retention',
  filtered: 'Hidden by a filter rule',
  hidden_by_admin: 'Hidden by an admin',
  duplicate: 'Shown once, through another feed',
};

export function whyHeading(answer: WhyAnswer): string {
  if (answer.kind === 'feed') return answer.reason ? REASON_HEADINGS[answer.reason] : 'This feed is on the planet';
  return answer.reason ? REASON_HEADINGS[answer.reason] : 'This post is on the planet';
}

export interface WhyPageInput {
  /** What was asked (shown in the form), '' for the empty form. */
  url: string;
  answer: WhyAnswer | null;
  /** A URL that cannot be asked about, in words. */
  problem: string | null;
}

export function renderWhyPage(templates: Templates, site: SiteInfo, input: WhyPageInput): string {
  const from = '/why';
  const title = `${input.answer ? site.words.t('why.pageTitle', { url: input.url }) : site.words.t('why.title')} — ${site.name}`;
  const a = input.answer;
  return templates.render('why', {
    ...layoutView(site, from, title, mergedAlternates(site, from, { kind: 'all' })),
    url: input.url,
    problem: input.problem,
    answer: a && {
      ...a,
      heading: whyHeading(a),
      places: a.places.map((p) => ({ path: p, href: relativeHref(from, p) })),
      feedPage: a.feed && a.places.includes(`/feed/${a.feed.id}`) ? relativeHref(from, `/feed/${a.feed.id}`) : null,
      entries: a.entries.map((e) => ({ ...e, heading: e.reason ? REASON_HEADINGS[e.reason] : 'On the planet' })),
    },
  });
}

export interface SuggestPageInput {
  step: 'form' | 'preview' | 'thanks';
  csrf: string;
  fields: { url: string; name: string; note: string };
  error: { field: string; reason: string } | null;
  preview: { feedUrl: string; title: string | null; format: string | null; entries: number; posts: { title: string | null; link: string | null }[]; warnings: string[] } | null;
}

export function renderSuggestPage(templates: Templates, site: SiteInfo, input: SuggestPageInput): string {
  const from = '/suggest';
  const title = `${site.words.t(input.step === 'thanks' ? 'suggest.thanksTitle' : 'suggest.title')} — ${site.name}`;
  return templates.render('suggest', { ...layoutView(site, from, title, mergedAlternates(site, from, { kind: 'all' })), ...input, action: relativeHref(from, '/suggest') });
}
