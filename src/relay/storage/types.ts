/**
 * The relay's storage interface: everything a relay keeps, and nothing else (docs/relay.md).
 * Two backends implement it over one SQL layer (`sql.ts`): PostgreSQL (`pg`, several relay
 * processes on one database) and SQLite (better-sqlite3, one machine).
 *
 * Nothing stored here is a secret value or a secret's name: envelopes are sealed bundles whose
 * names and values are inside the ciphertext.
 *
 * @module
 */

/** A member of the relay space: its public keys and its self-signed record. */
export interface MemberRow {
  /** Key id (32 hex digits) derived from the X25519 public key: what envelopes are addressed to. */
  readonly keyId: string;
  /** The user name the member chose (as in its vault). */
  readonly username: string;
  /** X25519 public key (base64): the key bundles are sealed to. */
  readonly boxKey: string;
  /** Ed25519 public key (base64): the key requests are signed with. */
  readonly signKey: string;
  /** The member record as signed (canonical JSON text). */
  readonly record: string;
  /** Ed25519 signature of `record` by `signKey` (base64). */
  readonly signature: string;
  readonly role: 'creator' | 'member';
  readonly joinedAt: number;
  /** When the creator removed it; removed members are refused everything. */
  readonly removedAt: number | null;
}

/** A single-use invitation signed by the space's creator. */
export interface InvitationRow {
  /** 32 hex digits. */
  readonly id: string;
  /** The X25519 public key (base64) the invitation is for. */
  readonly boxKey: string;
  readonly username: string;
  /** Key id of the creator who signed it. */
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The invitation as signed (canonical JSON text) and its signature (base64). */
  readonly body: string;
  readonly signature: string;
  readonly usedAt: number | null;
  readonly usedBy: string | null;
}

/** A sealed envelope (a bundle) addressed by key id, and its delivery state. */
export interface EnvelopeRow {
  readonly seq: number;
  /** 32 hex digits chosen by the relay. */
  readonly id: string;
  /** Key ids. */
  readonly sender: string;
  readonly recipient: string;
  readonly createdAt: number;
  /** When the recipient acknowledged it (after its load committed); the body is dropped then. */
  readonly deliveredAt: number | null;
  readonly body: Buffer | null;
  /** The bundle's own id (from its header): one sender's bundle is stored once. */
  readonly bundleId: string | null;
}

/** One entry of the append-only log: who did what to whom, and when. */
export interface LogRow {
  readonly seq: number;
  readonly at: number;
  readonly event: 'created' | 'joined' | 'invited' | 'removed' | 'sent' | 'delivered' | 'rejected';
  /** Key id of who acted. */
  readonly actor: string;
  /** Key id (or invitation id) acted on. */
  readonly subject: string | null;
  readonly envelopeId: string | null;
}

/** Outcome of {@link RelayStorage.join}. */
export type JoinOutcome = 'joined' | 'created' | 'not-empty' | 'invitation-unknown' | 'invitation-used' | 'invitation-expired' | 'invitation-mismatch' | 'exists';

/** The one storage interface of the relay. Every method is atomic. */
export interface RelayStorage {
  readonly kind: 'postgres' | 'sqlite';
  /** Apply the migrations this code knows and the database lacks; returns the schema version. */
  migrate(): Promise<number>;
  /** The relay's own X25519 key pair (base64), made once by `make` and then kept. */
  relayKey(make: () => { publicKey: string; secretKey: string }): Promise<{ publicKey: string; secretKey: string }>;
  /**
   * Add a member: with `invitationId` null only while the space has no member (it becomes the
   * creator); else the invitation is consumed in the same transaction.
   */
  join(member: Omit<MemberRow, 'role' | 'removedAt'>, invitationId: string | null, at: number): Promise<JoinOutcome>;
  member(keyId: string): Promise<MemberRow | undefined>;
  /** The members among `keyIds` (one statement; unknown ids are left out). */
  membersByKey(keyIds: readonly string[]): Promise<MemberRow[]>;
  members(): Promise<MemberRow[]>;
  /** Mark a member removed (false when unknown or already removed). */
  removeMember(keyId: string, by: string, at: number): Promise<boolean>;
  addInvitation(inv: Omit<InvitationRow, 'usedAt' | 'usedBy'>): Promise<void>;
  invitation(id: string): Promise<InvitationRow | undefined>;
  /**
   * Store an envelope and log it (one transaction). With `bundleId`, a second envelope of the
   * same sender and bundle is not stored: the answer names the envelope stored first.
   */
  putEnvelope(e: { id: string; sender: string; recipient: string; createdAt: number; body: Buffer; bundleId?: string }): Promise<{ stored: boolean; id: string }>;
  /**
   * Store several envelopes at once, all or none (one statement on PostgreSQL, one transaction on
   * SQLite), each logged and announced; the answers in the same order, as {@link putEnvelope}'s.
   */
  putEnvelopes(list: readonly { id: string; sender: string; recipient: string; createdAt: number; body: Buffer; bundleId?: string }[]): Promise<{ stored: boolean; id: string }[]>;
  /**
   * Envelopes not yet acknowledged by `recipient`, oldest first; with `after` (one of the
   * recipient's envelope ids), only those stored after it (a page past envelopes the recipient
   * refused). An `after` that is not one of the recipient's envelopes finds nothing.
   */
  pending(recipient: string, limit: number, after?: string): Promise<EnvelopeRow[]>;
  /** Acknowledge: mark delivered, drop the body, log it. False when no such envelope is pending for `recipient`. */
  ack(recipient: string, id: string, at: number): Promise<boolean>;
  /**
   * Acknowledge several envelopes in one transaction, each logged as `event` (`rejected`: the
   * recipient refused it and disposed of it). Returns the ids that were pending and now are not.
   */
  ackMany(recipient: string, ids: readonly string[], at: number, event: 'delivered' | 'rejected'): Promise<string[]>;
  /** Record a request nonce; false when it was seen before (a replay). Expired nonces are forgotten. */
  useNonce(keyId: string, nonce: string, at: number, expiresAt: number): Promise<boolean>;
  /**
   * Call `listener` with the recipient's key id after each stored envelope — from every relay
   * process on the database (PostgreSQL `LISTEN/NOTIFY`) or from this process (SQLite). `'*'`
   * means "anyone may have news" (after a lost listening connection came back). Wake-ups may be
   * spurious; listeners re-read {@link RelayStorage.pending}. Returns the unsubscribe.
   */
  subscribe(listener: (recipient: string) => void): Promise<() => Promise<void>>;
  log(): Promise<LogRow[]>;
  /** How many statements this storage sent to its database so far (transaction control included): a load-independent cost measure. */
  readonly statements: number;
  /** Every row of every table (for inspection and the blind-server test). */
  dump(): Promise<Record<string, Record<string, unknown>[]>>;
  close(): Promise<void>;
}
