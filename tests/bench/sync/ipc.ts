// Typed request/reply over a forked child's IPC channel, so the sync bench can put the server, the
// lightweight clients and the official clients in processes of their own (their CPU and RSS are theirs).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Each child's handlers; `never` accepts any one-argument handler, the caller's type checks the argument. */
type Handlers = Record<string, (arg: never) => unknown>;

interface Call {
  readonly id: number;
  readonly type: string;
  readonly arg: unknown;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Sent once the child listens: a message sent before that would be dropped (ESM loads late). */
const READY = { ready: true } as const;

/** The child's side: answers calls with its handlers; exits when the parent goes away. */
export function serve(handlers: Handlers, onParentGone: () => Promise<void> | void = () => undefined): void {
  process.on('message', (message: Call) => {
    const handler = handlers[message.type];
    const answer = async (): Promise<Reply> => {
      if (!handler) return { id: message.id, ok: false, error: `unknown call ${message.type}` };
      try {
        return { id: message.id, ok: true, value: await handler(message.arg as never) };
      } catch (error) {
        const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
        return { id: message.id, ok: false, error: text };
      }
    };
    void answer().then((reply) => process.send?.(reply));
  });
  process.on('disconnect', () => {
    void Promise.resolve(onParentGone()).finally(() => process.exit(0));
  });
  process.send?.(READY);
}

/** The parent's side: a forked TypeScript module and its typed calls. */
export class Child<H extends Handlers> {
  private readonly process: ChildProcess;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    moduleUrl: URL,
    options: { execArgv?: readonly string[] } = {},
  ) {
    this.process = fork(fileURLToPath(moduleUrl), [], {
      execArgv: [...(options.execArgv ?? []), '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    let started!: () => void;
    this.ready = new Promise((resolve) => (started = resolve));
    this.process.on('message', (reply: Reply | typeof READY) => {
      if ('ready' in reply) return started();
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(`${this.name}: ${reply.error}`));
    });
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code) => {
        for (const waiter of this.pending.values()) {
          waiter.reject(new Error(`${this.name} exited (code ${code}) before answering`));
        }
        this.pending.clear();
        resolve(code);
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  async call<K extends keyof H & string>(
    type: K,
    arg: Parameters<H[K]>[0],
  ): Promise<Awaited<ReturnType<H[K]>>> {
    await Promise.race([this.ready, this.exited]);
    const id = this.nextId++;
    return new Promise<Awaited<ReturnType<H[K]>>>((resolve, reject) => {
      if (!this.process.connected) return reject(new Error(`${this.name} is not running`));
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send({ id, type, arg } satisfies Call);
    });
  }

  /** Closes the channel (the child exits on its own), then kills it if it has not exited. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.process.disconnect();
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}
