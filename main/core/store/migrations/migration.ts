import type { Database } from 'better-sqlite3';

/** One forward-only schema step. `version` is its place in the sequence, starting at 1. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
