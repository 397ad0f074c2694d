/**
 * A small, strict, incremental XML scanner for the parts of a workbook (sheets, shared
 * strings, styles, the workbook and its relations). It is fed text in pieces of any size
 * and reports start tags, end tags and character data to a handler as soon as they are
 * complete; only an unfinished tag or text run is carried to the next piece, so the work is
 * linear in the input. It builds no tree, checks that tags nest, decodes the five
 * predefined entities and numeric character references, and refuses a DOCTYPE (a workbook
 * part has none; refusing it leaves no entity expansion to guard against).
 */

export class XmlError extends Error {
  override name = 'XmlError';
}

export interface XmlHandler {
  /** Whether character data is wanted now (skipped undecoded when not). */
  readonly wantsText: boolean;
  /**
   * A start tag: `name` without its namespace prefix; `src.slice(from, to)` is the tag's
   * text between `<` and `>` (read its attributes with `attributes`).
   */
  open(name: string, src: string, from: number, to: number, selfClosing: boolean): void;
  close(name: string): void;
  text(text: string): void;
  /**
   * Optional shortcut for a start tag at `src[at]`: a handler that recognises a whole common
   * element there (open tag, text, close tag) may take it at once and return the index after
   * it; -1 leaves it to the scanner. What it takes must be balanced and complete.
   */
  readonly take?: (src: string, at: number) => number;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOT = 0x22;
const APOS = 0x27;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isNameEnd = (c: number): boolean => isSpace(c) || c === SLASH || c === GT;

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Character data or an attribute value with its references replaced. */
export function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) throw new XmlError(`unterminated reference near "${s.slice(amp, amp + 12)}"`);
    const ref = s.slice(amp + 1, semi);
    let ch: string | undefined;
    if (ref.charCodeAt(0) === 0x23) {
      const hex = ref.charCodeAt(1) === 0x78;
      const digits = ref.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) throw new XmlError(`bad character reference &${ref};`);
      const cp = parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) throw new XmlError(`character reference &${ref}; is not an XML character`);
      ch = String.fromCodePoint(cp);
    } else {
      ch = NAMED[ref];
      if (ch === undefined) throw new XmlError(`unknown entity &${ref};`);
    }
    out += s.slice(from, amp) + ch;
    from = semi + 1;
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}

/** Line ends as an XML processor hands them on: CR LF and lone CR become LF. */
function normalizeNewlines(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

export function decodeText(s: string): string {
  return decodeEntities(normalizeNewlines(s));
}

/**
 * The attributes of the start tag `src.slice(from, to)`, by local name (`r:id` as `id`,
 * `xml:space` as `space`), values decoded.
 */
export function attributes(src: string, from: number, to: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = from + 1;
  while (i < to && !isNameEnd(src.charCodeAt(i))) i++;
  for (;;) {
    while (i < to && isSpace(src.charCodeAt(i))) i++;
    if (i >= to || src.charCodeAt(i) === SLASH) return out;
    const nameStart = i;
    while (i < to && src.charCodeAt(i) !== 0x3d && !isSpace(src.charCodeAt(i))) i++;
    const name = src.slice(nameStart, i);
    while (i < to && isSpace(src.charCodeAt(i))) i++;
    if (src.charCodeAt(i) !== 0x3d) throw new XmlError(`attribute ${name} has no value`);
    i++;
    while (i < to && isSpace(src.charCodeAt(i))) i++;
    const q = src.charCodeAt(i);
    if (q !== QUOT && q !== APOS) throw new XmlError(`attribute ${name} is not quoted`);
    const end = src.indexOf(q === QUOT ? '"' : "'", i + 1);
    if (end < 0 || end > to) throw new XmlError(`attribute ${name} is not closed`);
    const raw = src.slice(i + 1, end);
    if (raw.indexOf('<') >= 0) throw new XmlError(`"<" in attribute ${name}`);
    // Attribute-value normalization: white space characters become spaces.
    const spaced = raw.indexOf('\n') >= 0 || raw.indexOf('\t') >= 0 || raw.indexOf('\r') >= 0;
    out[localName(name)] = decodeEntities(spaced ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw);
    i = end + 1;
  }
}

export class XmlScanner {
  private rest = '';
  private readonly stack: string[] = [];
  private rootSeen = false;

  constructor(private readonly handler: XmlHandler) {}

  /** Scan `piece`; `final` says no more text follows (the document must then be complete). */
  feed(piece: string, final: boolean): void {
    const buf = this.rest.length > 0 ? this.rest + piece : piece;
    const h = this.handler;
    const n = buf.length;
    let i = 0;
    while (i < n) {
      const lt = buf.indexOf('<', i);
      if (lt < 0) break;
      if (lt > i) {
        if (h.wantsText) h.text(decodeText(buf.slice(i, lt)));
        else if (this.stack.length === 0 && !isBlank(buf, i, lt)) throw new XmlError('text outside the root element');
        i = lt;
      }
      const c = buf.charCodeAt(lt + 1);
      if (Number.isNaN(c)) break;
      if (c === SLASH) {
        const gt = buf.indexOf('>', lt + 2);
        if (gt < 0) break;
        const name = localName(buf.slice(lt + 2, gt).trimEnd());
        const open = this.stack.pop();
        if (open !== name) throw new XmlError(`</${name}> closes <${open ?? 'nothing'}>`);
        h.close(name);
        i = gt + 1;
      } else if (c === QUESTION) {
        const end = buf.indexOf('?>', lt + 2);
        if (end < 0) break;
        i = end + 2;
      } else if (c === BANG) {
        if (buf.startsWith('<!--', lt)) {
          const end = buf.indexOf('-->', lt + 4);
          if (end < 0) break;
          i = end + 3;
        } else if (buf.startsWith('<![CDATA[', lt)) {
          const end = buf.indexOf(']]>', lt + 9);
          if (end < 0) break;
          if (h.wantsText) h.text(normalizeNewlines(buf.slice(lt + 9, end)));
          i = end + 3;
        } else if (n - lt < 9) {
          break;
        } else {
          throw new XmlError('a DOCTYPE or other declaration is not allowed in a workbook part');
        }
      } else {
        if (h.take !== undefined) {
          const next = h.take(buf, lt);
          if (next > 0) {
            i = next;
            continue;
          }
        }
        const gt = tagEnd(buf, lt + 1);
        if (gt < 0) break;
        let nameEnd = lt + 1;
        while (nameEnd < gt && !isNameEnd(buf.charCodeAt(nameEnd))) nameEnd++;
        if (nameEnd === lt + 1) throw new XmlError('a tag without a name');
        const selfClosing = buf.charCodeAt(gt - 1) === SLASH;
        const name = localName(buf.slice(lt + 1, nameEnd));
        if (this.stack.length === 0) {
          if (this.rootSeen) throw new XmlError('a second root element');
          this.rootSeen = true;
        }
        h.open(name, buf, lt, gt, selfClosing);
        if (selfClosing) h.close(name);
        else this.stack.push(name);
        i = gt + 1;
      }
    }
    this.rest = i < n ? buf.slice(i) : '';
    if (final) {
      if (this.rest.trim() !== '') throw new XmlError('the document ends inside a tag or reference');
      if (this.stack.length > 0) throw new XmlError(`<${this.stack[this.stack.length - 1] ?? ''}> is not closed`);
      if (!this.rootSeen) throw new XmlError('no root element');
    }
  }
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (!isSpace(s.charCodeAt(k))) return false;
  return true;
}

/** Index of the `>` ending the start tag that begins at `from`, quotes respected; -1 if not in `s` yet. */
function tagEnd(s: string, from: number): number {
  const n = s.length;
  let quote = 0;
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === GT) {
      return i;
    } else if (c === QUOT || c === APOS) {
      quote = c;
    } else if (c === LT) {
      throw new XmlError('"<" inside a tag');
    }
  }
  return -1;
}

/** Scan a whole document held as bytes (small parts: the workbook, relations, styles). */
export function scanDocument(pieces: Iterable<Uint8Array>, handler: XmlHandler): void {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const scanner = new XmlScanner(handler);
  for (const piece of pieces) scanner.feed(decoder.decode(piece, { stream: true }), false);
  scanner.feed(decoder.decode(), true);
}

