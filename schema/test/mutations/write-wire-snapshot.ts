// `pnpm exec tsx schema/test/mutations/write-wire-snapshot.ts`: writes the snapshot of a NEW protocol
// version. It never overwrites one: a changed wire needs MUTATION_PROTOCOL_VERSION bumped first.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { wireContract, WIRE_SNAPSHOT_FILE } from '../../src/mutations/contract';

const file = fileURLToPath(new URL(`../../src/mutations/${WIRE_SNAPSHOT_FILE}`, import.meta.url));
if (fs.existsSync(file)) {
  console.error(
    `${WIRE_SNAPSHOT_FILE} exists: bump MUTATION_PROTOCOL_VERSION in wire.ts to record a changed wire.`,
  );
  process.exit(1);
}
fs.writeFileSync(file, JSON.stringify(wireContract(), null, 2) + '\n');
console.log(`wrote ${file}; format it with \`pnpm exec prettier --write ${file}\``);
