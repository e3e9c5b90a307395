/**
 * Central maintenance of the row MACs and table aggregates of src/vault/integrity.ts: the TEMP
 * triggers of a writing connection and the per-transaction tracker.
 *
 * @module
 */
import type Database from 'better-sqlite3';
import { constantTimeEqual } from '../crypto/index.js';
import { SeeqretError } from '../errors.js';
import { MacSum } from './mac-sum.js';
import { type Aggregate, MOD, PROTECTED_TABLES, type ProtectedTable, RECORD_WHAT, protectedTable, readAggregates, rowMac, tampered, verifyRow, writeAggregates } from './integrity.js';

/** The row's MAC computed by SQL for a row of `t` (an INSERT or UPDATE without one). */
function setMacSql(t: ProtectedTable): string {
  return `UPDATE main.${t.name} SET mac = seeqret_row_mac('${t.name}', ${t.cols.map((c) => `NEW.${c}`).join(', ')}) WHERE ${t.newRow};`;
}

/**
 * The INSERT triggers of `t`: a row without a MAC gets one; a row with one must bring the MAC
 * {@link IntegrityTracker.macFor} just computed for it. {@link IntegrityTracker.insertMany}
 * drops them for its batch and makes them again after it.
 */
function insertTriggers(t: ProtectedTable): string {
  return [
    `CREATE TEMP TRIGGER IF NOT EXISTS seeqret_${t.name}_ins AFTER INSERT ON main.${t.name} WHEN NEW.mac IS NULL BEGIN ${setMacSql(t)} END;`,
    `CREATE TEMP TRIGGER IF NOT EXISTS seeqret_${t.name}_ins_mac AFTER INSERT ON main.${t.name} WHEN NEW.mac IS NOT NULL BEGIN SELECT seeqret_row_given('${t.name}', NEW.mac); END;`,
  ].join('\n');
}

/**
 * Keeps row MACs and aggregates up to date for one writing connection. {@link install} defines
 * the SQL functions and the TEMP triggers; {@link begin} and {@link commit} bracket each write
 * transaction.
 *
 * Bulk writers (a new secret, a share record, a history row, a replaced value) compute the row's
 * MAC themselves ({@link IntegrityTracker.macFor}) and write it with the row: the INSERT or UPDATE
 * trigger then only checks that the MAC is the one this tracker just computed for that table and
 * counts it, instead of writing the row a second time (an UPDATE per row made `load` and
 * `importenv` 1.6-2x slower). An UPDATE's old row is checked against its MAC either way.
 * A row inserted with any other MAC is refused (`E_INTERNAL`), so every stored MAC still comes
 * from {@link rowMac} here, over the values the row was inserted with.
 *
 * Many new rows of one table ({@link insertMany}: a push's share records, a load's, a load's
 * history rows) call into JavaScript from no trigger (decisions 77, 81): while they go in, the
 * table's INSERT triggers are dropped (and made again right after, in the same transaction), and
 * one statement reads their MACs back after the last one, which must be exactly the MACs
 * computed here, in id order, and no other row (`E_INTERNAL` otherwise). Many replaced rows
 * ({@link replaceMany}) likewise: a TEMP flag row turns their UPDATE check off, the old rows are
 * checked from what the writer read, and the new MACs are read back once.
 */
export class IntegrityTracker {
  readonly #key: Buffer;
  /** Per table: rows added minus removed, and the sum of added minus removed MACs (reduced at commit). */
  readonly #delta = new Map<string, MacSum>();
  /** The MAC {@link macFor} computed for the next INSERT of its table, until the trigger takes it. */
  #given: { table: string; mac: Buffer } | null = null;
  #installed = false;
  /** {@link insertMany}'s statements, per table (prepared on first use). */
  readonly #many = new Map<string, { insert: Database.Statement; readBack: Database.Statement }>();
  #flag: { on: Database.Statement; off: Database.Statement } | null = null;
  /** {@link replaceMany}'s read-back statement, per table. */
  readonly #replaced = new Map<string, Database.Statement>();

  constructor(key: Buffer) {
    this.#key = key;
  }

  #deltaOf(table: string): MacSum {
    let d = this.#delta.get(table);
    if (!d) this.#delta.set(table, (d = new MacSum()));
    return d;
  }

  #change(table: string, mac: Uint8Array, sign: 1 | -1): void {
    this.#deltaOf(table).add(mac, sign);
  }

  /**
   * The MAC of a row about to be inserted into `table` with `values` (every column of the table's
   * spec, in its order, as they will be stored — the row id included). Insert it as the row's
   * `mac` in the very next INSERT into that table.
   */
  macFor(table: ProtectedTable, values: readonly unknown[]): Buffer {
    const mac = rowMac(this.#key, table.name, values);
    this.#given = { table: table.name, mac };
    return mac;
  }

  /** The statements that set and clear a TEMP flag row (prepared on first use). */
  #flags(db: Database.Database): { on: Database.Statement; off: Database.Statement } {
    this.#flag ??= { on: db.prepare('INSERT INTO temp.seeqret_many (tbl) VALUES (?)'), off: db.prepare('DELETE FROM temp.seeqret_many WHERE tbl = ?') };
    return this.#flag;
  }

  /**
   * Insert `rows` into `table` (a table whose rows have an `id` primary key), each row's values
   * being every column of the table's spec in its order, ids counted up from the first one (the
   * table's largest id + 1 or more: no row may come after them), each with its MAC computed and
   * counted here. No trigger calls into JavaScript for them; the MACs read back in one statement
   * must be exactly the ones computed (constant-time compare), else `E_INTERNAL`.
   */
  insertMany(db: Database.Database, table: ProtectedTable, rows: readonly (readonly unknown[])[]): void {
    const first = rows[0]?.[0];
    if (first === undefined) return;
    let st = this.#many.get(table.name);
    if (st === undefined) {
      st = {
        insert: db.prepare(`INSERT INTO ${table.name} (${table.cols.join(', ')}, mac) VALUES (${table.cols.map(() => '?').join(', ')}, ?)`),
        readBack: db.prepare(`SELECT count(*) AS n, group_concat(hex(mac), '') AS h FROM (SELECT mac FROM ${table.name} WHERE id >= ? ORDER BY id)`),
      };
      this.#many.set(table.name, st);
    }
    const macs = Buffer.allocUnsafe(32 * rows.length);
    // Without the table's INSERT triggers while the batch goes in: an AFTER INSERT trigger costs
    // SQLite a sub-program per row even when its WHEN is false (~9 k instructions a row for two).
    // The DROP is part of the transaction, so a rollback brings the triggers back too.
    db.exec(`DROP TRIGGER temp.seeqret_${table.name}_ins; DROP TRIGGER temp.seeqret_${table.name}_ins_mac;`);
    try {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as readonly unknown[];
        const mac = rowMac(this.#key, table.name, row);
        macs.set(mac, 32 * i);
        st.insert.run(...row, mac);
      }
    } finally {
      db.exec(insertTriggers(table));
    }
    this.#deltaOf(table.name).addAll(macs, 1);
    const back = st.readBack.get(first) as { n: number; h: string | null };
    if (back.n !== rows.length || !constantTimeEqual(Buffer.from(back.h ?? '', 'hex'), macs)) {
      throw new SeeqretError('E_INTERNAL', `rows of ${table.name} were inserted with MACs seeqret did not compute for them`, 'Report this bug.');
    }
  }

  /**
   * Run `write`, which replaces rows of `table` (a table with an `id` primary key) through the
   * `replace` it is given, with no trigger calling into JavaScript for those UPDATEs (decision 81):
   * `replace(old, oldMac, next)` takes the row as the caller just read it in this transaction
   * (`old`: every column of the table's spec in its order; `oldMac`: its stored MAC), checks it
   * against its MAC as the UPDATE trigger would (`E_TAMPERED` naming the row otherwise: a row
   * changed outside seeqret is never re-authenticated), and returns the MAC of `next` (the same
   * row id), counted here, which the caller stores in its next UPDATE of that row. While `write`
   * runs, a TEMP flag row turns the table's UPDATE-with-MAC check off; once it returned, one
   * statement reads the MACs of the replaced rows back, which must be exactly the last ones
   * computed for each (`E_INTERNAL` otherwise).
   */
  replaceMany<T>(db: Database.Database, table: ProtectedTable, write: (replace: (old: readonly unknown[], oldMac: unknown, next: readonly unknown[]) => Buffer) => T): T {
    const flags = this.#flags(db);
    const flag = `${table.name}:replace`;
    const macs = new Map<unknown, Buffer>();
    const replace = (old: readonly unknown[], oldMac: unknown, next: readonly unknown[]): Buffer => {
      const want = rowMac(this.#key, table.name, old);
      if (!(oldMac instanceof Uint8Array) || !constantTimeEqual(oldMac, want)) {
        const row: Record<string, unknown> = { mac: oldMac };
        table.cols.forEach((c, i) => (row[c] = old[i]));
        verifyRow(this.#key, table, row); // throws E_TAMPERED naming the row
      }
      this.#change(table.name, want, -1);
      const mac = rowMac(this.#key, table.name, next);
      this.#change(table.name, mac, 1);
      macs.set(next[0], mac);
      return mac;
    };
    flags.on.run(flag);
    let out: T;
    try {
      out = write(replace);
    } finally {
      flags.off.run(flag);
    }
    if (macs.size > 0) {
      let readBack = this.#replaced.get(table.name);
      if (readBack === undefined) {
        readBack = db.prepare(`SELECT count(*) AS n, group_concat(hex(mac), '') AS h FROM (SELECT t.mac FROM json_each(?) j JOIN ${table.name} t ON t.id = j.value ORDER BY j.key)`);
        this.#replaced.set(table.name, readBack);
      }
      const back = readBack.get(JSON.stringify([...macs.keys()])) as { n: number; h: string | null };
      if (back.n !== macs.size || !constantTimeEqual(Buffer.from(back.h ?? '', 'hex'), Buffer.concat([...macs.values()]))) {
        throw new SeeqretError('E_INTERNAL', `rows of ${table.name} were replaced with MACs seeqret did not compute for them`, 'Report this bug.');
      }
    }
    return out;
  }

  /** The trigger's check of an inserted (or updated) row's MAC: it must be the one {@link macFor} just computed. */
  #takeGiven(table: unknown, mac: unknown): void {
    const given = this.#given;
    this.#given = null;
    if (given === null || given.table !== table || !(mac instanceof Uint8Array) || !constantTimeEqual(Buffer.from(mac.buffer, mac.byteOffset, mac.byteLength), given.mac)) {
      throw new SeeqretError('E_INTERNAL', `a row of ${String(table)} was inserted with a MAC seeqret did not compute for it`, 'Report this bug.');
    }
    this.#change(given.table, given.mac, 1);
  }

  /** The trigger's check of a row about to change or go (`values`: its columns, then its MAC); out of the aggregate. */
  #drop(table: unknown, values: unknown[]): void {
    const t = protectedTable(table as string);
    const mac = values.pop();
    // A row changed outside seeqret is never re-authenticated by a later write.
    const want = rowMac(this.#key, t.name, values);
    if (!(mac instanceof Uint8Array) || !constantTimeEqual(Buffer.from(mac.buffer, mac.byteOffset, mac.byteLength), want)) {
      const row: Record<string, unknown> = { mac };
      t.cols.forEach((c, i) => (row[c] = values[i]));
      verifyRow(this.#key, t, row); // throws E_TAMPERED naming the row
    }
    this.#change(t.name, mac as Uint8Array, -1);
  }

  /** Define the functions and TEMP triggers on `db` (once per connection). */
  install(db: Database.Database): void {
    if (this.#installed) return;
    db.function('seeqret_row_mac', { varargs: true, deterministic: true, directOnly: false }, (table: unknown, ...values: unknown[]) => {
      const mac = rowMac(this.#key, table as string, values);
      this.#change(table as string, mac, 1);
      return mac;
    });
    db.function('seeqret_row_given', { varargs: false, directOnly: false }, (table: unknown, mac: unknown) => {
      this.#takeGiven(table, mac);
      return null;
    });
    db.function('seeqret_row_drop', { varargs: true, directOnly: false }, (table: unknown, ...values: unknown[]) => {
      this.#drop(table, values);
      return null;
    });
    // An UPDATE that carries its new MAC: the old row checked and dropped, then the new MAC taken (one call, not two).
    db.function('seeqret_row_replace', { varargs: true, directOnly: false }, (table: unknown, mac: unknown, ...old: unknown[]) => {
      this.#drop(table, old);
      this.#takeGiven(table, mac);
      return null;
    });
    // While replaceMany writes a table, its UPDATE-with-MAC check is off: it checks the rows itself.
    const sql = ['CREATE TEMP TABLE IF NOT EXISTS seeqret_many (tbl TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;'];
    for (const t of PROTECTED_TABLES) {
      const old = t.cols.map((c) => `OLD.${c}`).join(', ');
      const setMac = setMacSql(t);
      sql.push(
        insertTriggers(t),
        `CREATE TEMP TRIGGER IF NOT EXISTS seeqret_${t.name}_upd AFTER UPDATE OF ${t.cols.join(', ')} ON main.${t.name} WHEN NEW.mac IS OLD.mac BEGIN SELECT seeqret_row_drop('${t.name}', ${old}, OLD.mac); ${setMac} END;`,
        // An UPDATE that sets the row's new MAC with it (IntegrityTracker.macFor): the old row is
        // checked as always, the new MAC must be the one just computed — no second write of the row.
        `CREATE TEMP TRIGGER IF NOT EXISTS seeqret_${t.name}_upd_mac AFTER UPDATE OF ${t.cols.join(', ')} ON main.${t.name} WHEN NEW.mac IS NOT OLD.mac AND NOT EXISTS (SELECT 1 FROM temp.seeqret_many WHERE tbl = '${t.name}:replace') BEGIN SELECT seeqret_row_replace('${t.name}', NEW.mac, ${old}, OLD.mac); END;`,
        `CREATE TEMP TRIGGER IF NOT EXISTS seeqret_${t.name}_del AFTER DELETE ON main.${t.name} BEGIN SELECT seeqret_row_drop('${t.name}', ${old}, OLD.mac); END;`,
      );
    }
    db.exec(sql.join('\n'));
    this.#installed = true;
  }

  /** Forget changes of a transaction that was rolled back. */
  begin(): void {
    this.#delta.clear();
    this.#given = null;
  }

  /** The changes counted so far, to put back with {@link restore} if a savepoint rolls back. */
  snapshot(): ReadonlyMap<string, Aggregate> {
    return new Map([...this.#delta].map(([t, d]) => [t, { n: d.n, sum: d.sum() }]));
  }

  /** Forget the changes counted since `snap` (their savepoint was rolled back). */
  restore(snap: ReadonlyMap<string, Aggregate>): void {
    this.#delta.clear();
    this.#given = null;
    for (const [t, a] of snap) this.#delta.set(t, MacSum.from(a.n, a.sum));
  }

  /** Apply this transaction's changes to the stored aggregates (inside the transaction). */
  commit(db: Database.Database): void {
    const changed = [...this.#delta].map(([t, d]) => [t, { n: d.n, sum: d.sum() }] as const).filter(([, d]) => d.n !== 0 || d.sum % MOD !== 0n);
    if (changed.length > 0) {
      const all = readAggregates(db, this.#key);
      for (const [table, d] of changed) {
        const a = all.get(table);
        if (!a) throw tampered(RECORD_WHAT);
        all.set(table, { n: a.n + d.n, sum: (((a.sum + d.sum) % MOD) + MOD) % MOD });
      }
      writeAggregates(db, this.#key, all);
    }
    this.#delta.clear();
    this.#given = null;
  }
}
