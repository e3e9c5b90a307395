/**
 * The relay protocol's parsers and writers (property tests) and its keys: member records and
 * invitations round-trip exactly and nothing else parses; possession proofs and request
 * signatures check only with the right keys.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateIdentity, keyToBase64 } from '../src/crypto/index.js';
import { checkPossessionProof, possessionProof, relayKeyId, relaySigningKey, signDetached, verifyDetached } from '../src/crypto/relay.js';
import { invitationText, invitationToken, memberRecordText, parseInvitation, parseMemberRecord, readInvitationToken } from '../src/relay/protocol.js';
import { SeeqretError } from '../src/errors.js';

const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64'));
const user = fc.stringMatching(/^[A-Za-z0-9._@+-]{1,64}$/);
const time = fc.integer({ min: 0, max: 2 ** 48 });
const hex32 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));

describe('relay protocol', () => {
  it('member records and invitations round-trip through their canonical text and tokens', () => {
    fc.assert(
      fc.property(user, key, key, time, (username, boxKey, signKey, created) => {
        const r = { v: 1 as const, username, boxKey, signKey, created };
        expect(parseMemberRecord(memberRecordText(r))).toEqual(r);
      }),
    );
    fc.assert(
      fc.property(hex32, user, key, hex32, time, time, (id, username, boxKey, createdBy, created, expires) => {
        const i = { v: 1 as const, id, username, boxKey, createdBy, created, expires };
        const text = invitationText(i);
        expect(parseInvitation(text)).toEqual(i);
        const creator = memberRecordText({ v: 1, username: 'alice', boxKey, signKey: boxKey, created });
        const t = readInvitationToken(invitationToken(text, 'sig', { record: creator, signature: 'csig' }));
        expect(t.invitation).toEqual(i);
        expect(t.creator).toMatchObject({ record: creator, signature: 'csig' });
      }),
    );
  });

  it('any other text parses as nothing, and a bad token is E_RELAY_INVITATION, never another error', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(parseMemberRecord(s)).toBeUndefined();
        expect(parseInvitation(s)).toBeUndefined();
        try {
          readInvitationToken(s);
          expect.unreachable();
        } catch (e) {
          expect(e instanceof SeeqretError && e.code).toBe('E_RELAY_INVITATION');
        }
      }),
    );
    // Non-canonical spellings of a valid record are refused too (what is signed is what is stored).
    const r = { v: 1 as const, username: 'bob', boxKey: keyToBase64(generateIdentity().publicKey), signKey: keyToBase64(generateIdentity().publicKey), created: 1 };
    expect(parseMemberRecord(JSON.stringify(r, null, 1))).toBeUndefined();
    expect(parseMemberRecord(JSON.stringify({ ...r, extra: 1 }))).toBeUndefined();
  });

  it('a possession proof checks only between the two keys it was made for; signatures only with their key', () => {
    const member = generateIdentity();
    const relay = generateIdentity();
    const other = generateIdentity();
    const msg = Buffer.from('record');
    const proof = possessionProof(member.secretKey, relay.publicKey, msg);
    expect(checkPossessionProof(relay.secretKey, member.publicKey, msg, proof)).toBe(true);
    expect(checkPossessionProof(relay.secretKey, other.publicKey, msg, proof)).toBe(false);
    expect(checkPossessionProof(relay.secretKey, member.publicKey, Buffer.from('other'), proof)).toBe(false);
    const s1 = relaySigningKey(member.secretKey);
    expect(relaySigningKey(member.secretKey).publicKey.equals(s1.publicKey)).toBe(true);
    const sig = signDetached(s1.secretKey, msg);
    expect(verifyDetached(s1.publicKey, msg, sig)).toBe(true);
    expect(verifyDetached(relaySigningKey(other.secretKey).publicKey, msg, sig)).toBe(false);
    expect(relayKeyId(member.publicKey)).toMatch(/^[0-9a-f]{32}$/);
    expect(relayKeyId(member.publicKey)).not.toBe(relayKeyId(other.publicKey));
  });
});
