// Aligned text tables for the command line: column widths from the data, measured in terminal
// columns (string-width: CJK and emoji take two, combining marks none), cells cut with "…" at a
// column's limit, colour only on a terminal. Feed titles come from the network, so control and
// bidi-override characters in cells are replaced: they could move the cursor or reorder the line.
import stringWidth from 'string-width';

export interface Column<Row> {
  header: string;
  cell(row: Row): string;
  align?: 'left' | 'right';
  /** Widest the column may be, in terminal columns (longer cells end in "…"). */
  max?: number;
  /** On a terminal too narrow for the table, the column may shrink down to this (in order: shrinkOrder). */
  min?: number;
  /** Lower shrinks first; columns without it never shrink (an id, a URL to copy). */
  shrinkOrder?: number;
  /** ANSI style for a cell, used only when colour is on. */
  style?(row: Row): Style | undefined;
}

export type Style = 'bold' | 'red' | 'yellow' | 'green' | 'dim';

const SGR: Record<Style, [string, string]> = {
  bold: ['\x1b[1m', '\x1b[22m'],
  dim: ['\x1b[2m', '\x1b[22m'],
  red: ['\x1b[31m', '\x1b[39m'],
  yellow: ['\x1b[33m', '\x1b[39m'],
  green: ['\x1b[32m', '\x1b[39m'],
};

export interface TableOptions {
  /** ANSI colour (a terminal, and NO_COLOR not set). */
  color: boolean;
  /** The terminal's width: the table shrinks to fit it where columns allow. */
  width?: number;
}

const GAP = '  ';
// C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates.
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** A cell as one line of harmless text: whitespace controls become spaces, others U+FFFD. */
export function cleanCell(text: string): string {
  return text.replace(UNSAFE, (c) => (/\s/.test(c) ? ' ' : '\ufffd'));
}

/** `text` cut to at most `width` terminal columns, ending in "…" when cut; never splits a character. */
export function truncate(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out.trimEnd()}…`;
}

/** The table's lines: a header, then one line per row. No trailing spaces. */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[], options: TableOptions): string[] {
  const cells = rows.map((row) => columns.map((c) => cleanCell(c.cell(row))));
  const widths = columns.map((c, i) => {
    const widest = Math.max(stringWidth(c.header), ...cells.map((r) => stringWidth(r[i]!)));
    return c.max === undefined ? widest : Math.min(widest, Math.max(c.max, stringWidth(c.header)));
  });
  if (options.width !== undefined) fitWidth(columns, widths, options.width);

  const paint = (text: string, style: Style | undefined) => (options.color && style && text ? `${SGR[style][0]}${text}${SGR[style][1]}` : text);
  const line = (texts: string[], styleOf: (i: number) => Style | undefined) =>
    texts
      .map((text, i) => {
        const cut = truncate(text, widths[i]!);
        const room = ' '.repeat(widths[i]! - stringWidth(cut));
        const last = i === texts.length - 1;
        const padded = columns[i]!.align === 'right' ? room + paint(cut, styleOf(i)) : paint(cut, styleOf(i)) + (last ? '' : room);
        return padded;
      })
      .join(GAP)
      .trimEnd();
  return [
    line(columns.map((c) => c.header), () => 'bold'),
    ...cells.map((texts, r) => line(texts, (i) => columns[i]!.style?.(rows[r]!))),
  ];
}

/** Narrows the shrinkable columns, in order, until the table fits `width` or none can give more. */
function fitWidth<Row>(columns: readonly Column<Row>[], widths: number[], width: number): void {
  let excess = widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1) - width;
  const order = columns
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.shrinkOrder !== undefined)
    .sort((a, b) => a.c.shrinkOrder! - b.c.shrinkOrder!);
  for (const { c, i } of order) {
    if (excess <= 0) return;
    const floor = Math.max(c.min ?? 1, stringWidth(c.header));
    const give = Math.min(excess, Math.max(0, widths[i]! - floor));
    widths[i]! -= give;
    excess -= give;
  }
}
