// How the parser's modules give up on a document: a ParseFailure carries the error code that
// parseFeed (index.ts) turns into a ParseResult value; nothing outside parse/ sees it thrown.

export class ParseFailure extends Error {
  constructor(
    readonly code: 'parse' | 'not_a_feed',
    message: string,
  ) {
    super(message);
  }
}

export function fail(message: string): never {
  throw new ParseFailure('parse', `parse: ${message}`);
}
