/**
 * The syntax of description files: a small strict JSON parser (RFC 8259) that keeps objects as
 * Maps, reports duplicate keys and gives line/column positions without quoting the text, and YAML
 * through the `yaml` package with messages of the same kind.
 *
 * @module
 */
import YAML from 'yaml';
import { badValue, shown } from './descriptions.js';

export class JsonSyntax extends Error {
  constructor(
    readonly reason: string,
    readonly pos: number,
  ) {
    super(reason);
  }
}

const MAX_DEPTH = 64;
const JSON_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function parseJson(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    let run = i;
    for (;;) {
      if (i >= text.length) throw new JsonSyntax('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) throw new JsonSyntax('control character in a string (escape it)', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(run, i);
      const e = text[i + 1];
      const escaped = e !== undefined && Object.hasOwn(JSON_ESCAPES, e) ? JSON_ESCAPES[e] : undefined;
      if (escaped !== undefined) {
        out += escaped;
        i += 2;
      } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        throw new JsonSyntax('invalid escape sequence in a string', i);
      }
      run = i;
    }
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new JsonSyntax('nested too deeply', i);
    ws();
    if (i >= text.length) throw new JsonSyntax('unexpected end of text', i);
    const c = text[i];
    if (c === '{') {
      const map = new Map<string, unknown>();
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return map;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') throw new JsonSyntax('expected a string key', i);
        const keyPos = i;
        const key = str();
        if (map.has(key)) throw new JsonSyntax(`key ${shown(key)} appears twice in one object`, keyPos);
        ws();
        if (text[i] !== ':') throw new JsonSyntax("expected ':' after a key", i);
        i++;
        map.set(key, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return map;
        }
        throw new JsonSyntax("expected ',' or '}' in an object", i);
      }
    }
    if (c === '[') {
      const arr: unknown[] = [];
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        throw new JsonSyntax("expected ',' or ']' in an array", i);
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER_RE.lastIndex = i;
    const m = NUMBER_RE.exec(text);
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    throw new JsonSyntax('unexpected character', i);
  };
  const v = value(0);
  ws();
  if (i < text.length) throw new JsonSyntax('unexpected text after the end of the value', i);
  return v;
}

export function lineCol(text: string, pos: number): string {
  let line = 1;
  let last = -1;
  for (let k = 0; k < pos && k < text.length; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      last = k;
    }
  }
  return `line ${line}, column ${pos - last}`;
}

/**
 * Parse a JSON document strictly (RFC 8259): objects become `Map`s, a key repeated in one object is
 * an error, and errors give line and column without quoting the text. Used for psec's
 * `secrets.json` as well as the description files.
 *
 * @throws SeeqretError `E_BAD_VALUE` naming `file` and the position.
 */
export function parseJsonStrict(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return parseJson(body);
  } catch (e) {
    if (!(e instanceof JsonSyntax)) throw e;
    throw badValue(`${file}: not valid JSON at ${lineCol(body, e.pos)}: ${e.reason}`, 'Fix the JSON at that place.');
  }
}

// ---------------------------------------------------------------------------------------------
// YAML

const YAML_REASONS: Record<string, string> = {
  DUPLICATE_KEY: 'a key appears twice in one mapping',
  BAD_ALIAS: "an undefined alias (quote values that start with '*')",
  MULTIPLE_DOCS: 'more than one document',
  TAB_AS_INDENT: 'a tab used for indentation',
  BAD_INDENT: 'bad indentation',
  MISSING_CHAR: 'a missing character',
  UNEXPECTED_TOKEN: 'an unexpected token',
  BLOCK_AS_IMPLICIT_KEY: 'a block value used as a key',
  MULTILINE_IMPLICIT_KEY: 'a key spanning several lines',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
};

export function parseYaml(text: string, file: string): unknown {
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true, strict: true });
  } catch {
    throw badValue(`${file}: not valid YAML`, 'Fix the YAML syntax of the file.');
  }
  const err = doc.errors[0];
  if (err) {
    const at = err.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const reason = YAML_REASONS[err.code] ?? err.code.toLowerCase().replace(/_/g, ' ');
    throw badValue(
      `${file}: not valid YAML${where}: ${reason}`,
      "Fix the YAML at that place; quote values that start with '*', '&', '!' or contain ': '.",
    );
  }
  try {
    return doc.toJS({ mapAsMap: true, maxAliasCount: 100 });
  } catch {
    throw badValue(
      `${file}: a YAML alias is undefined or expands too much`,
      "Quote values that start with '*' or '&' (YAML reads them as aliases and anchors).",
    );
  }
}
