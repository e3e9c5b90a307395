// Give every registry package in package-lock.json its `resolved` URL (the npm registry tarball
// address npm itself records). npm verifies a pinned `allowScripts` entry (`name@version`) against
// that URL and refuses the pin when it is missing, which a lockfile written with the user setting
// `omit-lockfile-registry-resolved=true` is. The project's .npmrc turns that setting off, so npm
// keeps these URLs and adds them for new packages; run this after merging a lockfile written
// without them (test/package.test.ts says when).
import fs from 'node:fs';

const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const [where, entry] of Object.entries(lock.packages)) {
  if (where === '' || entry.link || entry.resolved || !entry.integrity || !entry.version) continue;
  const name = entry.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const url = `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
  // npm writes `resolved` right after `version`.
  lock.packages[where] = Object.fromEntries(Object.entries(entry).flatMap(([k, v]) => (k === 'version' ? [[k, v], ['resolved', url]] : [[k, v]])));
  added++;
}
fs.writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} resolved URLs added`);
