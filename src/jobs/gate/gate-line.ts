// The gate's waiting line in SQLite, with places and length found without counting the rows ahead.
//
// Each waiter gets the next number (`seq`) when it first asks; numbers are never reused. A place in
// line is then `seq - head + 1` minus the numbers between that left the line out of turn ("holes":
// a cancel, a stale waiter dropped, a grant to the second of two free slots). Holes at or before
// the head are forgotten as the head moves on, so there are only as many as waiters left out of
// turn and still have someone behind them: a handful in a batch, not the length of the line.
// Every call is then O(holes + log n) however long the line is, where COUNT(*) over the rows ahead
// made each ask O(place).

const NEXT_SEQ = "nextSeq";

export const LINE_TABLES = `
  CREATE TABLE IF NOT EXISTS waiters (seq INTEGER PRIMARY KEY, job_id TEXT NOT NULL UNIQUE, retry_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS waiters_retry ON waiters (retry_at);
  CREATE TABLE IF NOT EXISTS holes (seq INTEGER PRIMARY KEY);
`;

export class WaitingLine {
  constructor(
    private readonly sql: SqlStorage,
    private readonly kv: SyncKvStorage,
  ) {
    // once per gate: a line stored before numbers were kept here (rowids with gaps) is numbered 1..n
    if (kv.get<number>(NEXT_SEQ) !== undefined) return;
    const rows = sql.exec<{ seq: number }>("SELECT seq FROM waiters ORDER BY seq").toArray();
    for (const [i, { seq }] of rows.entries()) sql.exec("UPDATE waiters SET seq = ? WHERE seq = ?", -(i + 1), seq);
    sql.exec("UPDATE waiters SET seq = -seq");
    sql.exec("DELETE FROM holes");
    kv.put(NEXT_SEQ, rows.length + 1);
  }

  private next(): number {
    return this.kv.get<number>(NEXT_SEQ) ?? 1;
  }

  /** The job's number in line, if it is waiting. */
  seqOf(jobId: string): number | undefined {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM waiters WHERE job_id = ?", jobId).toArray()[0]?.seq;
  }

  /** Adds the job at the end of the line; its number. */
  join(jobId: string, retryAt: number): number {
    const seq = this.next();
    this.kv.put(NEXT_SEQ, seq + 1);
    this.sql.exec("INSERT INTO waiters (seq, job_id, retry_at) VALUES (?, ?, ?)", seq, jobId, retryAt);
    return seq;
  }

  /** 1-based place of the waiter numbered `seq`; for a job not yet in line, the place it would take. */
  placeOf(seq: number | undefined): number {
    const head = this.head();
    if (head === undefined) return 1;
    const at = seq ?? this.next();
    const holes = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holes WHERE seq < ?", at).one().n;
    return at - head + 1 - holes;
  }

  /** How many are waiting. */
  length(): number {
    const head = this.head();
    if (head === undefined) return 0;
    return this.next() - head - this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM holes").one().n;
  }

  setRetryAt(seq: number, retryAt: number): void {
    this.sql.exec("UPDATE waiters SET retry_at = ? WHERE seq = ?", retryAt, seq);
  }

  /** Brings the retry time of these waiters forward to `by`: woken, they should ask at once, and one that does not is dropped as stale. */
  expectBy(jobIds: string[], by: number): void {
    for (const id of jobIds) this.sql.exec("UPDATE waiters SET retry_at = MIN(retry_at, ?) WHERE job_id = ?", by, id);
  }

  /** Takes the job out of the line; true if it was in it. */
  leave(jobId: string): boolean {
    const gone = this.sql.exec<{ seq: number }>("DELETE FROM waiters WHERE job_id = ? RETURNING seq", jobId).toArray();
    this.afterLeaving(gone);
    return gone.length > 0;
  }

  /** Drops the waiters that should have asked again by `before` (except `caller`); how many. */
  dropStale(before: number, caller: string): number {
    const gone = this.sql
      .exec<{ seq: number }>("DELETE FROM waiters WHERE retry_at <= ? AND job_id != ? RETURNING seq", before, caller)
      .toArray();
    this.afterLeaving(gone);
    return gone.length;
  }

  /** The first `n` job ids in line. */
  first(n: number): string[] {
    return this.sql
      .exec<{ job_id: string }>("SELECT job_id FROM waiters ORDER BY seq LIMIT ?", n)
      .toArray()
      .map((r) => r.job_id);
  }

  /** The head's retry time, if anyone waits. */
  headRetryAt(): number | undefined {
    return this.sql.exec<{ t: number }>("SELECT retry_at AS t FROM waiters ORDER BY seq LIMIT 1").toArray()[0]?.t;
  }

  private head(): number | undefined {
    return this.sql.exec<{ seq: number }>("SELECT seq FROM waiters ORDER BY seq LIMIT 1").toArray()[0]?.seq;
  }

  private afterLeaving(gone: { seq: number }[]): void {
    if (gone.length === 0) return;
    for (const { seq } of gone) this.sql.exec("INSERT OR IGNORE INTO holes (seq) VALUES (?)", seq);
    const head = this.head();
    // holes up to the head count for nobody any more (all of them when the line is empty)
    if (head === undefined) this.sql.exec("DELETE FROM holes");
    else this.sql.exec("DELETE FROM holes WHERE seq < ?", head);
  }
}
