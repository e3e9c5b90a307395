/**
 * `seeqret env`: write a .env file (0600, every value quoted and escaped) from env.template.
 *
 * @module
 */
import path from 'node:path';
import { SeeqretError } from '../../errors.js';
import { formatDotenv } from '../../formats/dotenv.js';
import { atomicWriteFile } from '../../util/fs.js';
import { readTemplateFile, resolveTemplate } from '../../vault/resolve.js';
import { type GlobalOptions, info, warn, withVault, writeData } from '../context.js';

/** Resolve the template completely before writing anything. */
export async function env(g: GlobalOptions, _args: unknown[], o: Record<string, unknown>): Promise<number> {
  const templateFile = o['template'] as string;
  const text = readTemplateFile(templateFile);
  return withVault(
    g,
    (v) => {
      const { entries, warnings } = resolveTemplate(v, text, path.basename(templateFile));
      for (const w of warnings) warn(w);
      v.auditReads(entries.flatMap((e) => (e.secret ? [e.secret] : [])), o['stdout'] ? 'env --stdout' : 'env');
      const content = formatDotenv(entries.map((e) => ({ key: e.name, value: e.value })));
      if (o['stdout']) {
        writeData(content);
        return 0;
      }
      const outFile = o['out'] as string;
      if (outFile === '-') throw new SeeqretError('E_USAGE', '--out - is not supported', 'Use --stdout to print the .env content.');
      atomicWriteFile(outFile, content);
      const n = entries.filter((e) => e.secret).length;
      info(`Created ${outFile} with ${n} secret${n === 1 ? '' : 's'} and ${entries.length - n} constant${entries.length - n === 1 ? '' : 's'} (mode 0600)`);
      return 0;
    },
  );
}
