// OPML 2.0 subscription lists in: outlines with an xmlUrl become subscriptions (nested outlines'
// titles and `category` become tags). Pure; storing them is importOpml's job (service.ts).
//
// Read with htmlparser2's tokenizer (as feeds are, docs/decisions/0001-feed-parser.md). Its Parser
// would recover from broken markup, and an import must be all or nothing, so the elements are
// put together here and every fault is refused, naming where it is: an element not closed, or
// closed by another's end tag, an end tag with nothing to close, a "<" that starts no tag, text or
// a second element outside the root, an attribute without a quoted value or given twice, a name
// XML does not allow, a DTD. Entities are decoded as HTML decodes them (`&amp;`, `&#233;`,
// `&eacute;`; a lone "&" stays itself), as the reader this replaced did.
import { decodeHTML, decodeHTMLAttribute } from 'entities';
import { QuoteType, Tokenizer } from 'htmlparser2';
import { slugTag } from '../model.js';

export interface OpmlOutline {
  url: string;
  name: string | null;
  link: string | null;
  tags: string[];
}

export type OpmlReadResult = { kind: 'ok'; title: string | null; outlines: OpmlOutline[] } | { kind: 'error'; message: string };

interface XmlElement {
  /** As written: XML names are case-sensitive, so an end tag must match it exactly. */
  rawName: string;
  /** Lowercased: OPML readers have always matched `xmlUrl`, `xmlurl` and `XMLURL` alike. */
  name: string;
  /** Lowercased names, decoded values; the first of two names that differ only in case wins. */
  attrs: Map<string, string>;
  /** Elements and decoded text, in document order. */
  children: (XmlElement | XmlText)[];
  parent: XmlElement | null;
  /** Where its start tag begins in the file. */
  start: number;
}

interface XmlText {
  text: string;
  start: number;
}

class Malformed extends Error {}

/** Real lists nest folders a few levels deep; a hostile one must not exhaust the stack when walked. */
const MAX_DEPTH = 1000;

// XML 1.0 §2.3 names, without the rarely seen ranges: a letter or "_" first, one optional prefix.
const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*(?::[\p{L}_][\p{L}\p{N}_.-]*)?$/u;

/** "line L, column C" of a position in the file, for error messages. */
function position(text: string, index: number): string {
  const before = text.slice(0, index);
  return `line ${before.split('\n').length}, column ${index - before.lastIndexOf('\n')}`;
}

function quoted(fragment: string): string {
  const t = fragment.trim().replace(/\s+/g, ' ');
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
}

/** The root element, or a Malformed error naming the first fault and where it is. */
function readTree(text: string): XmlElement {
  const doc: XmlElement = { rawName: '', name: '#document', attrs: new Map(), children: [], parent: null, start: 0 };
  let current = doc;
  /** The start tag being read: its attributes arrive one by one before it ends. */
  let tag: { name: string; start: number; attrs: Map<string, string>; given: Set<string> } | null = null;
  let attribute = { name: '', value: '', start: 0 };
  let depth = 0;
  const malformed = (message: string, at: number) => new Malformed(`${message} (${position(text, at)})`);

  const open = () => {
    if (++depth > MAX_DEPTH) throw malformed(`elements nested more than ${MAX_DEPTH} deep`, tag!.start);
    const el: XmlElement = { rawName: tag!.name, name: tag!.name.toLowerCase(), attrs: tag!.attrs, children: [], parent: current, start: tag!.start };
    tag = null;
    current.children.push(el);
    current = el;
  };
  const close = () => {
    depth--;
    current = current.parent!;
  };

  const tokenizer = new Tokenizer(
    { xmlMode: true, decodeEntities: false },
    {
      onopentagname(start, end) {
        const name = text.slice(start, end);
        if (!XML_NAME.test(name)) throw malformed(`<${name}> is not a valid element name`, start - 1);
        const root = doc.children[0] as XmlElement | undefined;
        if (current === doc && root) throw malformed(`a second root element <${name}> after <${root.rawName}>`, start - 1);
        tag = { name, start: start - 1, attrs: new Map(), given: new Set() };
      },
      onattribname(start, end) {
        attribute = { name: text.slice(start, end), value: '', start };
        if (!XML_NAME.test(attribute.name)) throw malformed(`${quoted(attribute.name)} in <${tag!.name}> is not a valid attribute name`, start);
        if (tag!.given.has(attribute.name)) throw malformed(`attribute "${attribute.name}" is given twice in <${tag!.name}>`, start);
        tag!.given.add(attribute.name);
      },
      onattribdata(start, end) {
        attribute.value += text.slice(start, end);
      },
      onattribend(quote) {
        if (quote !== QuoteType.Double && quote !== QuoteType.Single) {
          throw malformed(`attribute "${attribute.name}" of <${tag!.name}> has no quoted value`, attribute.start);
        }
        const key = attribute.name.toLowerCase();
        if (!tag!.attrs.has(key)) tag!.attrs.set(key, decodeHTMLAttribute(attribute.value));
      },
      onattribentity() {},
      onopentagend: open,
      onselfclosingtag() {
        open();
        close();
      },
      onclosetag(start, end) {
        const name = text.slice(start, end);
        const at = text.lastIndexOf('</', start);
        // The tokenizer skips whatever follows the name up to the next ">": only spaces may.
        const rest = /\s*>/y;
        rest.lastIndex = end;
        if (at !== start - 2 || !rest.test(text)) throw malformed(`the end tag </${name}> is malformed`, at);
        if (current === doc) throw malformed(`</${name}> has no element to close`, at);
        if (name !== current.rawName) throw malformed(`</${name}> where <${current.rawName}> (${position(text, current.start)}) should be closed`, at);
        close();
      },
      ontext(start, end) {
        const raw = text.slice(start, end);
        const lt = raw.indexOf('<');
        if (lt !== -1) throw malformed('a "<" that starts no tag', start + lt);
        if (current === doc) {
          if (raw.trim() !== '') throw malformed(`text ${quoted(raw)} outside the root element`, start);
          return;
        }
        current.children.push({ text: decodeHTML(raw), start });
      },
      ontextentity() {},
      oncdata(start, end, endOffset) {
        if (current === doc) throw malformed('CDATA outside the root element', start);
        current.children.push({ text: text.slice(start, end - endOffset), start });
      },
      oncomment() {},
      onprocessinginstruction() {},
      ondeclaration(start) {
        throw malformed('a declaration, which OPML never needs', start - 2);
      },
      onend() {},
    },
  );
  tokenizer.write(text);
  tokenizer.end();

  const pending = tag as { name: string; start: number } | null;
  if (pending) throw malformed(`the file ends inside the <${pending.name}> start tag`, pending.start);
  if (current !== doc) throw malformed(`<${current.rawName}> is never closed`, current.start);
  const root = doc.children[0];
  if (!root) throw new Malformed('no element found');
  return root as XmlElement;
}

const isElement = (node: XmlElement | XmlText): node is XmlElement => 'children' in node;
const elements = (el: XmlElement | undefined) => (el?.children ?? []).filter(isElement);
const child = (el: XmlElement | undefined, name: string) => elements(el).find((c) => c.name === name);
const textOf = (el: XmlElement): string => el.children.map((c) => (isElement(c) ? textOf(c) : c.text)).join('');

/** An attribute's value, trimmed; undefined when absent or empty. */
function attr(el: XmlElement, name: string): string | undefined {
  const v = el.attrs.get(name)?.trim();
  return v ? v : undefined;
}

export function readOpml(input: string): OpmlReadResult {
  const text = input.replace(/^\uFEFF/, '');
  if (!/<opml[\s>]/i.test(text)) return { kind: 'error', message: 'opml: not an OPML document (no <opml> element)' };
  // DTDs have no place in OPML and are how entity-expansion attacks arrive.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return { kind: 'error', message: 'opml: the file declares a DTD or entities, which OPML never needs' };
  let root: XmlElement;
  try {
    root = readTree(text);
  } catch (err) {
    if (err instanceof Malformed) return { kind: 'error', message: `opml: not well-formed XML: ${err.message}` };
    throw err;
  }
  if (root.name !== 'opml') return { kind: 'error', message: `opml: not an OPML document (the root element is <${root.rawName}>)` };

  const outlines: OpmlOutline[] = [];
  /** Collects the feeds under `parent`; returns what is wrong with the list, if anything. */
  const walk = (parent: XmlElement | undefined, parents: string[]): string | undefined => {
    for (const o of parent?.children ?? []) {
      // Text among outlines is markup gone wrong (a lost "<" turns an outline into text): refuse it.
      if (!isElement(o)) {
        const words = o.text.trimStart();
        if (words !== '') return `text ${quoted(words)} in <${parent!.rawName}>, where only outlines belong (${position(text, o.start + o.text.length - words.length)})`;
        continue;
      }
      if (o.name !== 'outline') continue;
      const label = attr(o, 'title') ?? attr(o, 'text') ?? '';
      const xmlUrl = attr(o, 'xmlurl');
      if (xmlUrl !== undefined) {
        const categories = (attr(o, 'category') ?? '').split(/[,/]/).map((c) => c.trim()).filter(Boolean);
        const tags = [...new Set([...parents, ...categories].map(slugTag).filter((t): t is string => t !== null))];
        outlines.push({ url: xmlUrl, name: label || null, link: attr(o, 'htmlurl') ?? null, tags });
      }
      // An outline without a feed is a folder: its title tags the feeds inside it.
      const fault = walk(o, xmlUrl === undefined && label ? [...parents, label] : parents);
      if (fault) return fault;
    }
    return undefined;
  };
  const fault = walk(child(root, 'body'), []);
  if (fault) return { kind: 'error', message: `opml: not a list of outlines: ${fault}` };
  const title = child(child(root, 'head'), 'title');
  return { kind: 'ok', title: (title && textOf(title).trim()) || null, outlines };
}
