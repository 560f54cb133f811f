// OPML 2.0 subscription lists in: outlines with an xmlUrl become subscriptions (nested outlines'
// titles and `category` become tags). Pure; storing them is importOpml's job (service.ts).
import { XMLValidator } from 'fast-xml-parser';
import { parseOpml } from 'feedsmith';
import { slugTag } from '../model.js';

export interface OpmlOutline {
  url: string;
  name: string | null;
  link: string | null;
  tags: string[];
}

export type OpmlReadResult = { kind: 'ok'; title: string | null; outlines: OpmlOutline[] } | { kind: 'error'; message: string };

interface RawOutline {
  text?: string;
  title?: string;
  xmlUrl?: string;
  htmlUrl?: string;
  category?: string;
  outlines?: RawOutline[];
}

export function readOpml(text: string): OpmlReadResult {
  if (!/<opml[\s>]/i.test(text)) return { kind: 'error', message: 'opml: not an OPML document (no <opml> element)' };
  // DTDs have no place in OPML and are how entity-expansion attacks arrive.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { kind: 'error', message: 'opml: the file declares a DTD or entities, which OPML never needs' };
  // The OPML reader recovers from broken markup; an import must be all or nothing instead.
  const wellFormed = XMLValidator.validate(text);
  if (wellFormed !== true) {
    return { kind: 'error', message: `opml: not well-formed XML: ${wellFormed.err.msg} (line ${wellFormed.err.line}, column ${wellFormed.err.col})` };
  }
  let doc: { head?: { title?: string }; body?: { outlines?: RawOutline[] } };
  try {
    doc = parseOpml(text) as typeof doc;
  } catch (err) {
    return { kind: 'error', message: `opml: malformed document: ${(err as Error).message}` };
  }
  const outlines: OpmlOutline[] = [];
  const walk = (items: RawOutline[] | undefined, parents: string[]) => {
    for (const o of items ?? []) {
      const label = (o.title ?? o.text ?? '').trim();
      if (o.xmlUrl !== undefined) {
        const categories = (o.category ?? '').split(/[,/]/).map((c) => c.trim()).filter(Boolean);
        const tags = [...new Set([...parents, ...categories].map(slugTag).filter((t): t is string => t !== null))];
        outlines.push({ url: o.xmlUrl.trim(), name: label || null, link: o.htmlUrl?.trim() || null, tags });
      }
      walk(o.outlines, o.xmlUrl === undefined && label ? [...parents, label] : parents);
    }
  };
  walk(doc.body?.outlines, []);
  return { kind: 'ok', title: doc.head?.title ?? null, outlines };
}
