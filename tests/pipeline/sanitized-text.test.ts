// sanitizedHtmlToText is a regex shortcut that is only valid on sanitizeContent's output:
// it must agree with the parsing htmlToText there, for ordinary and hostile input alike.
import { describe, expect, it } from 'vitest';
import { entryHtml, rng } from '../helpers/feed-gen.js';
import { htmlToText, sanitizeContent, sanitizedHtmlToText } from '../../src/pipeline/sanitize.js';

const hostile = [
  '<p title="a>b">x &gt; y</p>',
  '<a href="/x?a=1&b=2">link & <b>bold</b></a>',
  '<img alt="<script>" src="/a.png">after',
  '<p>"quoted" &amp;amp; &lt;tag&gt; &#60;numeric&#62; &nbsp;nbsp</p>',
  '<scr<script>ipt>alert(1)</script>text',
  '<svg><text>svg text</text></svg><math>m</math>kept',
  '<pre>  spaced\n\n  lines </pre><ul><li>one</li><li>two</li></ul>',
  '<table><tr><td>a</td><td>b</td></tr></table>',
  '<!-- comment --><p>after comment</p><![CDATA[ x ]]>',
  'plain text with\ttabs and 日本語 and emoji 🙂',
];

describe('sanitizedHtmlToText', () => {
  it.each(hostile)('agrees with htmlToText on sanitized %j', (input) => {
    const safe = sanitizeContent(input, 'https://blog.example/post');
    expect(sanitizedHtmlToText(safe)).toBe(htmlToText(safe));
  });

  it('agrees with htmlToText on 500 generated posts', () => {
    const r = rng(42);
    for (let i = 0; i < 500; i++) {
      const safe = sanitizeContent(entryHtml(r, 500 + Math.floor(r() * 3000)), 'https://blog.example/post');
      expect(sanitizedHtmlToText(safe)).toBe(htmlToText(safe));
    }
  });
});
