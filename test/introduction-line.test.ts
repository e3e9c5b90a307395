/**
 * The introduction line (src/sharing/introduction.ts): what `introduction`, `users --export` and
 * `server init` print (`introductionLine`) is read back by `parseIntroduction` (the web UI's
 * "add person") as the same person, whatever the user name, address, full name and key form.
 */
import fc from 'fast-check';
import { binaryString } from './fc-helpers.js';
import { describe, expect, it } from 'vitest';
import { toAgeRecipient } from '../src/crypto/age.js';
import { generateIdentity, keyToBase64 } from '../src/crypto/index.js';
import { introductionLine, parseIntroduction } from '../src/sharing/introduction.js';

const username = fc.stringMatching(/^[A-Za-z0-9._@+-]{1,30}$/);
const email = fc.tuple(fc.stringMatching(/^[a-z0-9]{1,16}$/), fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z]{2,6}$/)).map(([l, d, t]) => `${l}@${d}.${t}`);
// A full name is one line (the line is read up to its end); anything else goes: quotes, `$`, spaces, Unicode.
const fullName = binaryString({ minLength: 1, maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s));

describe('introduction line', () => {
  it('reads back as the person it was written for (property)', () => {
    fc.assert(
      fc.property(username, fc.option(email, { nil: null }), fc.option(fullName, { nil: null }), fc.boolean(), (user, mail, name, age) => {
        const { publicKey } = generateIdentity();
        const pubkey = age ? toAgeRecipient(publicKey) : keyToBase64(publicKey);
        const line = introductionLine({ username: user, email: mail, name, pubkey });
        const back = parseIntroduction(`${line}\n# fingerprint of ${user}'s key: …\n`);
        expect(back.username).toBe(user);
        expect(back.email).toBe(mail);
        expect(back.name).toBe(name);
        expect(back.publicKey?.equals(publicKey)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('quotes every value, so a name with shell characters stays one word', () => {
    const { publicKey } = generateIdentity();
    const line = introductionLine({ username: 'ann', email: 'ann@example.com', name: "O'Brien $(rm -rf ~)", pubkey: keyToBase64(publicKey) });
    expect(line).toBe(`seeqret add user --username 'ann' --email 'ann@example.com' --name 'O'\\''Brien $(rm -rf ~)' --pubkey ${keyToBase64(publicKey)}`);
    expect(parseIntroduction(line).name).toBe("O'Brien $(rm -rf ~)");
  });
});
