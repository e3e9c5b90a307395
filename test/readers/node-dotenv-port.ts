import { must } from '../must.js';
/**
 * A line-for-line TypeScript port of Node's `--env-file` parser as of Node 22 and later
 * (`Dotenv::ParseContent` in src/node_dotenv.cc: CR removed, `[section]` lines, `export`, quotes
 * ending at the first matching quote, `\n` expanded in double quotes only, unquoted values cut at
 * `#` and trimmed of space, tab and LF). The installed Node (20) is tested for real; this port lets
 * the same property tests hold the writer to the newer parser too. Every searched character is
 * ASCII, so working on a JavaScript string is the same as the C++ working on UTF-8 bytes.
 */
function trimSpaces(s: string): string {
  let a = 0;
  while (a < s.length && ' \t\n'.includes(must(s[a]))) a++;
  if (a === s.length) return '';
  let e = s.length;
  while (e > a && ' \t\n'.includes(must(s[e - 1]))) e--;
  return s.slice(a, e);
}

export function parseNodeDotenv(input: string): Record<string, string> {
  const store: Record<string, string> = {};
  let section = '';
  const put = (k: string, v: string): void => {
    if (section === '') store[k] = v;
  };
  let content = trimSpaces(input.replace(/\r/g, ''));
  while (content.length > 0) {
    if (content[0] === '\n' || content[0] === '#') {
      const nl = content.indexOf('\n');
      content = nl === -1 ? '' : content.slice(nl + 1);
      continue;
    }
    if (content[0] === '[') {
      const close = content.indexOf(']');
      if (close !== -1) {
        const q = content.indexOf('"');
        section = trimSpaces(q !== -1 && q < close ? content.slice(1, q) : content.slice(1, close));
        content = content.slice(close + 1);
        const nl = content.indexOf('\n');
        if (nl !== -1) content = content.slice(nl + 1);
      }
    }
    const eqNl = content.search(/[=\n]/);
    if (eqNl === -1 || content[eqNl] === '\n') {
      if (eqNl !== -1) {
        content = trimSpaces(content.slice(eqNl + 1));
        continue;
      }
      break;
    }
    let key = trimSpaces(content.slice(0, eqNl));
    content = content.slice(eqNl + 1);
    if (content.length === 0 || content[0] === '\n') {
      put(key, '');
      continue;
    }
    content = trimSpaces(content);
    if (key === '') continue;
    if (key.startsWith('export ')) key = trimSpaces(key.slice(7));
    if (content.length === 0) {
      put(key, '');
      break;
    }
    if (content[0] === '"') {
      const close = content.indexOf('"', 1);
      if (close !== -1) {
        put(key, content.slice(1, close).split('\\n').join('\n'));
        const nl = content.indexOf('\n', close + 1);
        content = nl === -1 ? '' : content.slice(nl + 1);
        continue;
      }
    }
    if (content[0] === "'" || content[0] === '"' || content[0] === '`') {
      const close = content.indexOf(content[0], 1);
      if (close === -1) {
        const nl = content.indexOf('\n');
        if (nl !== -1) {
          put(key, content.slice(0, nl));
          content = content.slice(nl + 1);
        } else {
          put(key, content);
          break;
        }
      } else {
        put(key, content.slice(1, close));
        const nl = content.indexOf('\n', close + 1);
        content = nl === -1 ? '' : content.slice(nl + 1);
        continue;
      }
    } else {
      const nl = content.indexOf('\n');
      let value = nl === -1 ? content : content.slice(0, nl);
      const hash = value.indexOf('#');
      if (hash !== -1) value = value.slice(0, hash);
      put(key, trimSpaces(value));
      content = nl === -1 ? '' : content.slice(nl + 1);
    }
    content = trimSpaces(content);
  }
  return store;
}
