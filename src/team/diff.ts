/**
 * A small unified line diff for `seeqret team --confirm` (what the write would change).
 *
 * Common leading and trailing lines are skipped first; the rest is compared with a longest-common-
 * subsequence table (team files change in a few places, so the table stays small); a very large
 * middle falls back to "all removed, all added".
 *
 * @module
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

const MAX_CELLS = 4_000_000;

function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS) return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  // lcs(i, j) = LCS length of a[i..] and b[j..], row by row in one array.
  const width = m + 1;
  const dp = new Uint32Array((n + 1) * width);
  const lcs = (i: number, j: number): number => dp[i * width + j] ?? 0;
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i * width + j] = a[i] === b[j] ? lcs(i + 1, j + 1) + 1 : Math.max(lcs(i + 1, j), lcs(i, j + 1));
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const x = a[i] ?? '';
    const y = b[j] ?? '';
    if (x === y) {
      ops.push({ kind: ' ', line: x });
      i++;
      j++;
    } else if (lcs(i + 1, j) >= lcs(i, j + 1)) {
      ops.push({ kind: '-', line: x });
      i++;
    } else {
      ops.push({ kind: '+', line: y });
      j++;
    }
  }
  for (const line of a.slice(i)) ops.push({ kind: '-', line });
  for (const line of b.slice(j)) ops.push({ kind: '+', line });
  return ops;
}

/** Unified diff of two texts (3 lines of context), or `''` when they are equal. */
export function unifiedDiff(before: string, after: string, fromName: string, toName: string, context = 3): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  if (a[a.length - 1] === '') a.pop();
  if (b[b.length - 1] === '') b.pop();
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ops: Op[] = [
    ...a.slice(0, pre).map((line) => ({ kind: ' ' as const, line })),
    ...lcsOps(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf)),
    ...a.slice(a.length - suf).map((line) => ({ kind: ' ' as const, line })),
  ];
  // Group changes into hunks with `context` lines around them.
  const out: string[] = [`--- ${fromName}`, `+++ ${toName}`];
  const changed = ops.map((o, k) => (o.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  for (let h = 0; h < changed.length; h++) {
    const first = changed[h] ?? 0;
    const start = Math.max(0, first - context);
    let end = Math.min(ops.length, first + context + 1);
    for (let next = changed[h + 1]; next !== undefined && next - context <= end; next = changed[h + 1]) {
      h++;
      end = Math.min(ops.length, next + context + 1);
    }
    // Line numbers of the hunk in each file.
    let la = 1;
    let lb = 1;
    for (const o of ops.slice(0, start)) {
      if (o.kind !== '+') la++;
      if (o.kind !== '-') lb++;
    }
    const body = ops.slice(start, end);
    const na = body.filter((o) => o.kind !== '+').length;
    const nb = body.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${na === 0 ? la - 1 : la},${na} +${nb === 0 ? lb - 1 : lb},${nb} @@`);
    for (const o of body) out.push(o.kind + o.line);
  }
  return out.join('\n') + '\n';
}
