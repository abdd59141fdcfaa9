// The disk store's write-ahead journal (SPEC.md SE42–SE44): one record per group commit, written
// durably (O_DSYNC) once for every shape it touches. Files are numbered generations `journal.<n>`; a
// generation is deleted once the shape files it wrote to are fsync'd (a checkpoint).
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir } from './fs-util';

const NAME = /^journal\.(\d{1,15})$/;

export function journalName(generation: number): string {
  return `journal.${generation}`;
}

/** Generations found in the store's folder, oldest first. */
export function journalGenerations(names: readonly string[]): number[] {
  return names
    .map((name) => NAME.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export class Journal<Dirty> {
  /** Shapes whose files this generation's records were written to: fsync'd at its checkpoint. */
  readonly dirty = new Set<Dirty>();
  private size = 0;

  private constructor(
    readonly file: string,
    readonly generation: number,
    private readonly handle: fs.FileHandle,
  ) {}

  static async create<D>(dir: string, generation: number): Promise<Journal<D>> {
    const file = path.join(dir, journalName(generation));
    // O_DSYNC: each write returns once durable, as write + fdatasync would, in one call (and one trip
    // through the thread pool) per group commit instead of two.
    const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = constants;
    const handle = await fs.open(file, O_WRONLY | O_CREAT | O_EXCL | O_DSYNC);
    await fsyncDir(dir);
    return new Journal<D>(file, generation, handle);
  }

  get bytes(): number {
    return this.size;
  }

  /** Durable when it resolves (O_DSYNC). */
  async append(record: Buffer): Promise<void> {
    await this.handle.write(record, 0, record.length, this.size);
    this.size += record.length;
  }

  /** After a checkpoint: the shape files hold everything, the journal is not needed again. */
  async remove(): Promise<void> {
    await this.handle.close();
    await fs.rm(this.file, { force: true });
    await fsyncDir(path.dirname(this.file));
  }
}
