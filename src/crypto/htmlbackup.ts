/**
 * Self-decrypting HTML backups, as the old seeqret tool wrote them: one self-contained page that
 * holds the ciphertext and a small inline script which asks for the passphrase and decrypts with
 * the browser's WebCrypto. No external resource, no network: the page's Content-Security-Policy
 * (`default-src 'none'`, the inline script and style allowed only by their SHA-256 hashes)
 * forbids fetching anything.
 *
 * Format of the embedded JSON (in `<script type="application/json" id="seeqret-backup">`):
 * `{"v":1,"kdf":"PBKDF2-SHA256","iterations":600000,"salt":B64(16),"iv":B64(12),"ct":B64}`,
 * where the key is PBKDF2-HMAC-SHA256(UTF-8(NFC(passphrase)), salt, iterations, 32 bytes) and
 * `ct` is AES-256-GCM ciphertext followed by its 16-byte tag (WebCrypto's layout), no associated
 * data. Node encrypts and decrypts with `node:crypto`; the page decrypts with `crypto.subtle`.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { SeeqretError } from '../errors.js';

/** PBKDF2-SHA256 iterations used when none is given (OWASP's 2023 figure, as the old tool). */
export const HTML_BACKUP_DEFAULT_ITERATIONS = 600_000;
/** Fewest PBKDF2 iterations accepted when writing or reading (tests use this value). */
export const HTML_BACKUP_MIN_ITERATIONS = 1_000;
/** Most PBKDF2 iterations accepted, so a crafted file cannot make `restore` spin for minutes. */
export const HTML_BACKUP_MAX_ITERATIONS = 10_000_000;

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KDF = 'PBKDF2-SHA256';
const FORMAT_FIX = 'Use an intact copy of the HTML backup written by seeqret backup.';

/** Options for {@link renderHtmlBackup}. */
export interface HtmlBackupOptions {
  /** Page title and heading (HTML-escaped). Default: `seeqret backup`. */
  title?: string;
  /**
   * PBKDF2-SHA256 iterations, an integer from {@link HTML_BACKUP_MIN_ITERATIONS} to
   * {@link HTML_BACKUP_MAX_ITERATIONS}. Default {@link HTML_BACKUP_DEFAULT_ITERATIONS}; lower it
   * only in tests.
   */
  iterations?: number;
}

/** The embedded JSON document. */
interface Envelope {
  v: 1;
  kdf: typeof KDF;
  iterations: number;
  salt: string;
  iv: string;
  ct: string;
}

function deriveKey(passphrase: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(passphrase.normalize('NFC'), 'utf8'), salt, iterations, KEY_BYTES, 'sha256');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
main{max-width:60rem;margin:2rem auto;padding:0 1rem}
form{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
input{font:inherit;padding:.4rem .6rem;min-width:18rem}
button{font:inherit;padding:.4rem .9rem;cursor:pointer}
#msg{min-height:1.5em;font-weight:600}
#msg.error{color:#b00020}
pre{background:#fff;border:1px solid #ccd;padding:1rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
.actions{display:flex;gap:.5rem;margin:1rem 0 .5rem}
`;

/* Runs in the browser. Plain ES2017, no dependency; output only through textContent. */
const SCRIPT = `
(function () {
  'use strict';
  var byId = function (id) { return document.getElementById(id); };
  var form = byId('unlock'), pass = byId('passphrase'), btn = byId('unlock-btn');
  var msg = byId('msg'), result = byId('result'), out = byId('out');
  function say(text, isError) { msg.textContent = text; msg.className = isError ? 'error' : ''; }
  function b64(s) {
    var bin = atob(s), bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  var data = null;
  try { data = JSON.parse(byId('seeqret-backup').textContent); } catch (e) { data = null; }
  if (!data || data.v !== 1 || data.kdf !== 'PBKDF2-SHA256') {
    form.hidden = true;
    say('This backup is damaged, or was written by a newer seeqret.', true);
    return;
  }
  if (typeof crypto === 'undefined' || !crypto.subtle) {
    form.hidden = true;
    say('This browser cannot decrypt here (WebCrypto unavailable). Open the file directly from disk in a recent browser, or use seeqret restore.', true);
    return;
  }
  async function decrypt(passphrase) {
    var material = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase.normalize('NFC')),
      'PBKDF2', false, ['deriveKey']);
    var key = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt: b64(data.salt), iterations: data.iterations },
      material, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    var plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: b64(data.iv) }, key, b64(data.ct));
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  }
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    btn.disabled = true;
    say('Decrypting\\u2026', false);
    decrypt(pass.value).then(function (text) {
      pass.value = '';
      out.textContent = text;
      form.hidden = true;
      result.hidden = false;
      say('Decrypted.', false);
    }, function () {
      say('Wrong passphrase, try again. (If you are sure it is right, this file was modified.)', true);
      pass.select();
    }).then(function () { btn.disabled = false; });
  });
  function selectOutput() {
    var range = document.createRange();
    range.selectNodeContents(out);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  byId('copy').addEventListener('click', function () {
    var text = out.textContent;
    function fallback() {
      selectOutput();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      say(ok ? 'Copied to the clipboard.' : 'Selected: press Ctrl+C (or Cmd+C) to copy.', false);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { say('Copied to the clipboard.', false); }, fallback);
    } else {
      fallback();
    }
  });
  byId('download').addEventListener('click', function () {
    var url = URL.createObjectURL(new Blob([out.textContent], { type: 'text/plain;charset=utf-8' }));
    var a = document.createElement('a');
    a.href = url;
    a.download = 'seeqret-backup.txt';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  });
})();
`;

/**
 * Encrypt `plaintext` into a self-contained HTML page that decrypts itself in a browser
 * (WebCrypto PBKDF2-SHA256 → AES-256-GCM) once given `passphrase`, then shows the text with
 * Copy and Download buttons. The page loads nothing from the network. A fresh random salt and
 * IV are used every time.
 *
 * @throws SeeqretError `E_PASSPHRASE_REQUIRED` for an empty passphrase, `E_USAGE` for invalid
 * `opts.iterations`.
 */
export function renderHtmlBackup(plaintext: string, passphrase: string, opts: HtmlBackupOptions = {}): string {
  if (passphrase.length === 0) {
    throw new SeeqretError('E_PASSPHRASE_REQUIRED', 'a backup needs a non-empty passphrase', 'Choose a passphrase for the backup.');
  }
  const iterations = opts.iterations ?? HTML_BACKUP_DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < HTML_BACKUP_MIN_ITERATIONS || iterations > HTML_BACKUP_MAX_ITERATIONS) {
    throw new SeeqretError(
      'E_USAGE',
      `invalid PBKDF2 iteration count ${String(iterations)}`,
      `Use an integer from ${HTML_BACKUP_MIN_ITERATIONS} to ${HTML_BACKUP_MAX_ITERATIONS} (default ${HTML_BACKUP_DEFAULT_ITERATIONS}).`,
    );
  }
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = deriveKey(passphrase, salt, iterations);
  let ct: Buffer;
  try {
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  } finally {
    key.fill(0);
  }
  const envelope: Envelope = {
    v: 1,
    kdf: KDF,
    iterations,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
  };
  const title = escapeHtml(opts.title ?? 'seeqret backup');
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(SCRIPT)}`,
    `style-src ${cspHash(STYLE)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  // The JSON holds only ASCII letters, digits and base64 characters, so it cannot close its tag.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>This page is an encrypted seeqret backup. Enter its passphrase to see the contents. Decryption
happens in this browser, offline: nothing is sent anywhere.</p>
<form id="unlock" autocomplete="off">
<label for="passphrase">Passphrase</label>
<input id="passphrase" type="password" autocomplete="off" spellcheck="false" autofocus required>
<button type="submit" id="unlock-btn">Decrypt</button>
</form>
<p id="msg" role="status" aria-live="polite"></p>
<section id="result" hidden>
<div class="actions"><button type="button" id="copy">Copy</button><button type="button" id="download">Download</button></div>
<pre id="out"></pre>
</section>
<noscript><p>JavaScript is needed to decrypt this page in a browser; or run seeqret restore on this file.</p></noscript>
</main>
<script type="application/json" id="seeqret-backup">${JSON.stringify(envelope)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}


function b64field(obj: Record<string, unknown>, name: string, exact?: number, min = 0): Buffer {
  const v = obj[name];
  if (typeof v !== 'string') throw formatError(`the HTML backup's ${name} is missing or not base64`);
  // Canonical base64 check by round trip (a regex over megabytes of text overflows V8's stack).
  const b = Buffer.from(v, 'base64');
  if (b.toString('base64') !== v) throw formatError(`the HTML backup's ${name} is missing or not base64`);
  if ((exact !== undefined && b.length !== exact) || b.length < min) throw formatError(`the HTML backup's ${name} has the wrong length`);
  return b;
}

function formatError(message: string, cause?: unknown): SeeqretError {
  return new SeeqretError('E_BACKUP_FORMAT', message, FORMAT_FIX, { cause });
}

/**
 * Decrypt a page written by {@link renderHtmlBackup} — the same computation as the page's own
 * script — and return the plaintext (for `restore` and tests).
 *
 * @throws SeeqretError `E_BACKUP_FORMAT` when the page holds no seeqret backup or it is malformed,
 * `E_BACKUP_PASSPHRASE` when the passphrase is wrong (AES-GCM cannot tell a wrong passphrase from
 * a modified ciphertext; both are reported as a wrong passphrase).
 */
export function decryptHtmlBackup(html: string, passphrase: string): string {
  // Find the data block with indexOf, not a lazy regex: a backup page can be many megabytes, and
  // V8's backtracking over that overflows the stack.
  const tag = /<script\b[^>]*\bid=["']?seeqret-backup["']?[^>]*>/i.exec(html);
  if (tag === null) throw formatError('not a seeqret HTML backup');
  const start = tag.index + tag[0].length;
  const end = html.indexOf('</script', start);
  if (end < 0) throw formatError('not a seeqret HTML backup');
  let parsed: unknown;
  try {
    parsed = JSON.parse(html.slice(start, end));
  } catch (err) {
    throw formatError('the HTML backup data is not valid JSON', err);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw formatError('the HTML backup data is malformed');
  const obj = parsed as Record<string, unknown>;
  if (obj['v'] !== 1) throw formatError('unsupported HTML backup version (written by a newer seeqret?)');
  if (obj['kdf'] !== KDF) throw formatError('unsupported key derivation in the HTML backup');
  const iterations = obj['iterations'];
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < HTML_BACKUP_MIN_ITERATIONS ||
    iterations > HTML_BACKUP_MAX_ITERATIONS
  ) {
    throw formatError('the HTML backup has an invalid iteration count');
  }
  const salt = b64field(obj, 'salt', SALT_BYTES);
  const iv = b64field(obj, 'iv', IV_BYTES);
  const ct = b64field(obj, 'ct', undefined, TAG_BYTES);
  const key = deriveKey(passphrase, salt, iterations);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
    plain = Buffer.concat([decipher.update(ct.subarray(0, ct.length - TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new SeeqretError(
      'E_BACKUP_PASSPHRASE',
      'wrong passphrase for this backup',
      'Check the passphrase and try again; if it is right, the backup file was modified.',
      { cause: err },
    );
  } finally {
    key.fill(0);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (err) {
    throw formatError('the HTML backup content is not UTF-8 text', err);
  } finally {
    plain.fill(0);
  }
}
