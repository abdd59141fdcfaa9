// Runs the real `sync-server/src/main.ts` as a child process (as `pnpm start` does, minus the build)
// and lets a test wait on what it prints and on its exit — never on the clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../sync-server/src/main.ts', import.meta.url));

/** Variables of the parent that would change what the child does. */
const HEARTH_VARIABLES = [
  'PORT',
  'HOST',
  'DATABASE_URL',
  'DATA_DIR',
  'LOG_LEVEL',
  'WEB_DIST',
  'SEED_DEMO',
  'EMBEDDED_PG_PORT',
  'INIT_CWD',
];

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class HearthProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<Exit>;
  private waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void; reject: (e: Error) => void }[] =
    [];
  private exit: Exit | null = null;

  constructor(env: Record<string, string>) {
    const base = { ...process.env };
    for (const name of HEARTH_VARIABLES) delete base[name];
    this.child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: REPO_ROOT,
      env: { ...base, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
      this.waiters = this.waiters.filter((waiter) => {
        const match = this.output.match(waiter.pattern);
        if (match) waiter.resolve(match);
        return !match;
      });
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        for (const waiter of this.waiters) {
          waiter.reject(
            new Error(`exited (${code ?? signal}) before printing ${waiter.pattern}:\n${this.output}`),
          );
        }
        this.waiters = [];
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves when the output matches; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    const match = this.output.match(pattern);
    if (match) return Promise.resolve(match);
    if (this.exit)
      return Promise.reject(new Error(`already exited before printing ${pattern}:\n${this.output}`));
    return new Promise((resolve, reject) => this.waiters.push({ pattern, resolve, reject }));
  }

  /** Waits for the "running at" line and returns the URL. */
  async ready(): Promise<string> {
    const match = await this.waitFor(/Hearth is running at (http:\/\/\S+)/);
    return match[1]!;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (this.exit) return this.exit;
    this.child.kill(signal);
    return this.exited;
  }
}
