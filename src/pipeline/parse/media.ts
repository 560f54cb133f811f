// Media RSS (media:content, alone or in a media:group of renditions) as enclosures, for RSS and Atom.
import type { EnclosureDraft } from './entry.js';
import { NS, all, first, textOf, type XmlElement } from './xml-tree.js';

const MEDIA = [NS.media];

/**
 * Media RSS images are illustrations, not attached files (WordPress.com adds the author's avatar to
 * every item as one): only other media become enclosures. Of a media:group, which holds renditions
 * of one file, the default one (isDefault="true"), else the first.
 */
export function mediaEnclosures(item: XmlElement): EnclosureDraft[] {
  const isImage = (c: XmlElement) => (c.attrs.medium ?? '').trim().toLowerCase() === 'image' || /^\s*image\//i.test(c.attrs.type ?? '');
  const draft = (c: XmlElement, group: XmlElement | null): EnclosureDraft => ({
    url: c.attrs.url,
    base: c.base,
    type: c.attrs.type,
    length: c.attrs.fileSize ?? c.attrs.filesize,
    title: textOf(first(c, 'title', MEDIA)) ?? textOf(first(group, 'title', MEDIA)),
  });
  const out: EnclosureDraft[] = [];
  for (const c of all(item, 'content', MEDIA)) if (!isImage(c)) out.push(draft(c, null));
  for (const group of all(item, 'group', MEDIA)) {
    const contents = all(group, 'content', MEDIA).filter((c) => !isImage(c));
    const chosen = contents.find((c) => (c.attrs.isDefault ?? c.attrs.isdefault ?? '').trim().toLowerCase() === 'true') ?? contents[0];
    if (chosen) out.push(draft(chosen, group));
  }
  return out;
}
