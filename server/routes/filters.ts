/** Builds a WHERE clause from the filters that were given, with numbered parameters. */
export class Filters {
  readonly values: unknown[] = [];
  private readonly conditions: string[] = [];

  /** `sql` uses `?` where the value goes. */
  add(sql: string, value: unknown): this {
    if (value === undefined) return this;
    this.values.push(value);
    this.conditions.push(sql.replace('?', `$${this.values.length}`));
    return this;
  }

  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  get where(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }
}

/** A LIKE pattern that matches `text` literally anywhere. */
export const containing = (text: string | undefined): string | undefined =>
  text === undefined ? undefined : `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
