/**
 * `seeqret template`: the `{{ VAR }}` parser (property tests) and the command, in-process (`cliIn`) with a
 * written file and a refusal through the real CLI as a child process (decision 58).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSeeqretError } from '../src/errors.js';
import { type Segment, escapeTemplateText, parsePlaceholders, placeholderNames, renderPlaceholders } from '../src/formats/placeholders.js';
import { addSecrets, cli, cliIn, errorCode, newVault, tmpdir } from './helpers.js';
import { must } from './must.js';

/** Merge adjacent text segments and drop positions, for comparing segment lists. */
function normal(segs: ReadonlyArray<Segment | { kind: 'var'; name: string }>): Array<{ kind: string; text?: string; name?: string }> {
  const out: Array<{ kind: string; text?: string; name?: string }> = [];
  for (const s of segs) {
    if (s.kind === 'text') {
      if (s.text === '') continue;
      const last = out[out.length - 1];
      if (last?.kind === 'text') last.text = `${last.text ?? ''}${s.text}`;
      else out.push({ kind: 'text', text: s.text });
    } else out.push({ kind: 'var', name: s.name });
  }
  return out;
}

const nameArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.\-/]{0,12}$/);
const braceText = fc.string({ unit: fc.constantFrom('{', '}', 'a', ' ', '\n', "'", '"', '|', '%', '😀'), maxLength: 30 });
const space = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 3 });

describe('placeholder parser', () => {
  it('text without {{ is one text segment, unchanged', () => {
    fc.assert(
      fc.property(fc.string(), (t) => {
        fc.pre(!t.includes('{{'));
        expect(parsePlaceholders(t)).toEqual(t === '' ? [] : [{ kind: 'text', text: t }]);
      }),
    );
  });

  it('reads back any sequence of escaped text and placeholders (any spacing inside the braces)', () => {
    const seg = fc.oneof(
      braceText.map((text) => ({ kind: 'text' as const, text })),
      fc.record({ kind: fc.constant('var' as const), name: nameArb, before: space, after: space }),
    );
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 8 }), (segs) => {
        const src = segs.map((s) => (s.kind === 'text' ? escapeTemplateText(s.text) : `{{${s.before}${s.name}${s.after}}}`)).join('');
        const parsed = parsePlaceholders(src);
        expect(normal(parsed)).toEqual(normal(segs));
        // Rendering with each name's value = name reproduces the unescaped text.
        const values = new Map(placeholderNames(parsed).map((n) => [n, `<${n}>`]));
        expect(renderPlaceholders(parsed, values)).toBe(segs.map((s) => (s.kind === 'text' ? s.text : `<${s.name}>`)).join(''));
      }),
      { numRuns: 1000 },
    );
  });

  it('reports the line and column of each placeholder', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: fc.constantFrom('a', '\n', ' ', '}'), maxLength: 8 }), nameArb), { maxLength: 6 }), (parts) => {
        const src = parts.map(([t, n]) => `${t}{{ ${n} }}`).join('');
        const vars = parsePlaceholders(src).filter((s) => s.kind === 'var');
        expect(vars).toHaveLength(parts.length);
        const lines = src.split('\n');
        for (const v of vars) {
          expect(must(lines[v.line - 1]).slice(v.column - 1).startsWith(`{{ ${v.name} }}`)).toBe(true);
        }
      }),
    );
  });

  it('never fails with anything but E_TEMPLATE_SYNTAX, on any input', () => {
    fc.assert(
      fc.property(braceText, (t) => {
        try {
          parsePlaceholders(t, 'x.tpl');
        } catch (e) {
          expect(isSeeqretError(e, 'E_TEMPLATE_SYNTAX')).toBe(true);
          expect((e as Error).message).toMatch(/^x\.tpl:\d+:\d+: /);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('examples: spacing, quoted literals, single braces, and the errors', () => {
    const vars = (t: string): string[] => placeholderNames(parsePlaceholders(t));
    expect(vars('{{A}} {{ B }} {{\tC\n}} {{ A }}')).toEqual(['A', 'B', 'C']);
    expect(renderPlaceholders(parsePlaceholders("{{ '{{' }} x {{ \"}}\" }} {a} }} {% if %} {# c #}"), new Map())).toBe('{{ x }} {a} }} {% if %} {# c #}');
    const err = (t: string): string => {
      try {
        parsePlaceholders(t, 't');
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err('ok\n  {{ A')).toBe('t:2:3: unterminated {{ (no closing }})');
    expect(err('{{ }}')).toBe('t:1:1: expected a variable name or a quoted text after {{');
    expect(err('{{ A | upper }}')).toMatch(/^t:1:1: expected }} after "A"/);
    expect(err("{{ 'x\n' }}")).toMatch(/no closing ' on its line/);
    expect(err('{{{ A }}')).toBe('t:1:1: expected a variable name or a quoted text after {{');
  });
});

/** A project (app myapp, environment dev) with described variables and values. */
function setup(): { vault: string; dir: string } {
  const vault = newVault();
  const dir = tmpdir();
  fs.writeFileSync(path.join(dir, 'seeqret.yaml'), 'app: myapp\nenvironment: dev\n');
  for (const env of ['dev', 'prod']) {
    const d = path.join(dir, 'secrets', env, 'secrets.d');
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(
      path.join(d, 'db.json'),
      JSON.stringify([
        { Variable: 'db_password', Type: 'password', Export: 'DB_PASSWORD' },
        { Variable: 'db_host', Type: 'string' },
        { Variable: 'unset_one', Type: 'string' },
      ]),
    );
  }
  // The values put in in-process (`addSecrets`): setup, not what is tested.
  const add = (k: string, v: string, env = 'dev'): void => {
    addSecrets(vault, { app: 'myapp', env, key: k, value: v });
  };
  add('db_password', 's3cr3t "quoted" {{ not a placeholder }}');
  add('db_host', 'db.internal');
  add('db_password', 'prod-pw', 'prod');
  add('db_host', 'db.prod', 'prod');
  return { vault, dir };
}

describe('seeqret template', () => {
  it('renders own and Export names into a 0600 file, or to stdout with -; -e picks the environment; reads are audited', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, 'app.conf.tpl'), "host={{db_host}}\npassword = {{ DB_PASSWORD }}\nsame={{ db_password }}\nliteral={{ '{{' }}x}}\n");
    const r = await cliIn(['template', 'app.conf.tpl', 'out/app.conf'], { vault, cwd: dir });
    expect(errorCode(r)).toBe('E_FILE_NOT_FOUND'); // the folder of DEST must exist
    fs.mkdirSync(path.join(dir, 'out'));
    const ok = cli(['template', 'app.conf.tpl', 'out/app.conf'], { vault, cwd: dir }); // a child process: the file mode under a real umask
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('with 2 secrets of myapp:dev (mode 0600)');
    const file = path.join(dir, 'out', 'app.conf');
    expect(fs.readFileSync(file, 'utf8')).toBe('host=db.internal\npassword = s3cr3t "quoted" {{ not a placeholder }}\nsame=s3cr3t "quoted" {{ not a placeholder }}\nliteral={{x}}\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const out = await cliIn(['template', 'app.conf.tpl', '-', '-e', 'prod'], { vault, cwd: dir });
    expect(out.stdout).toBe('host=db.prod\npassword = prod-pw\nsame=prod-pw\nliteral={{x}}\n');
    const audit = (JSON.parse((await cliIn(['audit', '--action', 'secret.read', '--format', 'json'], { vault })).stdout) as Array<{ target: string; detail: unknown }>).map((e) => ({ ...e, detail: JSON.stringify(e.detail) }));
    // One entry per command (issue 12), naming the secrets it read.
    expect(audit.map((a) => a.target)).toEqual(['2 secrets', '2 secrets']);
    expect(audit.flatMap((a) => (JSON.parse(a.detail) as { secrets: string[] }).secrets).sort()).toEqual(['myapp:dev:db_host', 'myapp:dev:db_password', 'myapp:prod:db_host', 'myapp:prod:db_password']);
    expect(must(audit.find((a) => a.detail.includes('myapp:prod:db_host'))).detail).toContain('template app.conf.tpl --stdout');
  });

  it('an undefined or unset variable is an error naming every one, and nothing is written', async () => {
    const { vault, dir } = setup();
    const dest = path.join(dir, 'existing.conf');
    fs.writeFileSync(dest, 'old content\n');
    fs.writeFileSync(path.join(dir, 't.tpl'), 'a={{ db_password }}\nb={{ NOPE }}\nc={{ unset_one }}\nd={{ NOPE }}\n');
    const r = cli(['template', 't.tpl', dest], { vault, cwd: dir }); // the exit status of a real process
    expect(errorCode(r)).toBe('E_TEMPLATE_UNDEFINED');
    expect(r.code).toBe(10);
    expect(r.stderr).toContain('t.tpl: not a variable of environment dev: NOPE (line 2); not set in environment dev: unset_one (line 3)');
    expect(r.stderr).not.toContain('s3cr3t');
    expect(fs.readFileSync(dest, 'utf8')).toBe('old content\n');
    expect(fs.readdirSync(dir).filter((f) => f.includes('existing')).length).toBe(1); // no temporary file left
    expect(JSON.parse((await cliIn(['audit', '--action', 'secret.read', '--format', 'json'], { vault })).stdout)).toEqual([]);
    const stdout = await cliIn(['template', 't.tpl', '-'], { vault, cwd: dir });
    expect(errorCode(stdout)).toBe('E_TEMPLATE_UNDEFINED');
    expect(stdout.stdout).toBe('');
  });

  it('syntax errors, the template as its own output, and no project are refused', async () => {
    const { vault, dir } = setup();
    fs.writeFileSync(path.join(dir, 'bad.tpl'), 'x\n y {{ db_host\n');
    const bad = await cliIn(['template', 'bad.tpl', 'o'], { vault, cwd: dir });
    expect(errorCode(bad)).toBe('E_TEMPLATE_SYNTAX');
    expect(bad.stderr).toContain('bad.tpl:2:4: unterminated {{');
    expect(fs.existsSync(path.join(dir, 'o'))).toBe(false);
    expect(errorCode(await cliIn(['template', 'bad.tpl', './bad.tpl'], { vault, cwd: dir }))).toBe('E_USAGE');
    expect(errorCode(await cliIn(['template', 'missing.tpl', '-'], { vault, cwd: dir }))).toBe('E_FILE_NOT_FOUND');
    const elsewhere = tmpdir();
    fs.writeFileSync(path.join(elsewhere, 't.tpl'), '{{ X }}');
    expect(errorCode(await cliIn(['template', 't.tpl', '-'], { vault, cwd: elsewhere }))).toBe('E_NO_PROJECT');
  });
});
