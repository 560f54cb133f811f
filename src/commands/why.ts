// `planet why URL [--json]`: where a post is on the planet, or exactly why it is not; for a feed
// URL, its health and every post of its last document with its state. Never fetches anything.
import { whyHeading } from '../render/why.js';
import { answerWhy, whyUrlProblem } from '../site/why.js';
import { EXIT_OK, UsageError, openPlanet, parseCommandArgs, type CliIo } from './common.js';

const USAGE = 'planet why URL [--json]';
const DETAILS = `Says where a post is on the planet (its pages), or the one reason it is not there: not in any
feed's last document, its feed failing, beyond a new feed's backlog, expired, hidden by a filter
rule (which, and where it is set) or by an admin, or shown once through another feed. For a feed's
URL: its health and each post of its last document. Answers from the database; fetches nothing.
  --json           { url, kind, shown, reason, detail, places, feed, entries } on stdout`;

export async function why(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, USAGE, DETAILS);
  if (positionals.length !== 1) throw new UsageError(`expected one URL\nusage: ${USAGE}`);
  const url = positionals[0]!;
  const problem = whyUrlProblem(url);
  if (problem) throw new UsageError(`"${url}": ${problem}`);
  const { config, db } = openPlanet(values.config as string | undefined, io);
  try {
    const answer = answerWhy(db, config, url);
    if (values.json) {
      io.out(JSON.stringify(answer, null, 2));
      return EXIT_OK;
    }
    io.out(`${whyHeading(answer)}${answer.reason ? ` (${answer.reason})` : ''}`);
    io.out(answer.detail);
    if (answer.feed) io.out(`feed: #${answer.feed.id} ${answer.feed.name} <${answer.feed.url}>`);
    if (answer.places.length) io.out(`on the planet at: ${answer.places.join(', ')}`);
    for (const e of answer.entries) {
      io.out(`\n  ${e.shown ? 'shown' : (e.reason ?? 'not shown')}: ${e.title ?? '(untitled)'}\n    ${e.link ?? '-'}\n    ${e.detail}`);
    }
    return EXIT_OK;
  } finally {
    db.close();
  }
}
