// The server's ticket signer (schema's `TicketSigner`): Ed25519 through node:crypto, keys in
// `signing_keys` (private key as PKCS#8 DER, never synced; public key as 32 raw bytes, synced to every
// device for offline checks). The first claim ever makes the key (GA23).
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Tx } from '@hearth/schema/mutations/define';
import type { Signed, TicketSigner } from '@hearth/schema/tickets/services';

interface KeyRow {
  id: string;
  private_key: Buffer;
}

/** Raw 32-byte public key of an Ed25519 key object. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

/** Makes a key pair and stores it (the caller holds the key-making lock). */
async function createKey(tx: Tx, now: Date): Promise<KeyRow> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const row = { id: uuidv7(), private_key: privateKey.export({ format: 'der', type: 'pkcs8' }) };
  await tx.query(
    `insert into signing_keys (id, algorithm, public_key, private_key, created_at) values ($1, 'ed25519', $2, $3, $4)`,
    [row.id, Buffer.from(rawPublicKey(publicKey)), row.private_key, now],
  );
  return row;
}

const CURRENT_KEY = `select id, private_key from signing_keys where retired_at is null order by created_at desc, id desc limit 1`;

export class Ed25519TicketSigner implements TicketSigner {
  /** The current key, once read from a committed row (a key made in a transaction is not cached: it may roll back). */
  #cached: { id: string; key: KeyObject } | null = null;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async sign(tx: Tx, payload: Uint8Array): Promise<Signed> {
    const current = this.#cached ?? (await this.#load(tx));
    return { keyId: current.id, signature: new Uint8Array(sign(null, payload, current.key)) };
  }

  async #load(tx: Tx): Promise<{ id: string; key: KeyObject }> {
    let row = (await tx.query<KeyRow>(CURRENT_KEY)).rows[0];
    if (row) {
      this.#cached = {
        id: row.id,
        key: createPrivateKey({ key: row.private_key, format: 'der', type: 'pkcs8' }),
      };
      return this.#cached;
    }
    // Two first claims at once: the second waits here, then finds the key the first one made.
    await tx.query(`select pg_advisory_xact_lock(hashtext('hearth.signing_keys'))`);
    row = (await tx.query<KeyRow>(CURRENT_KEY)).rows[0] ?? (await createKey(tx, this.clock()));
    return { id: row.id, key: createPrivateKey({ key: row.private_key, format: 'der', type: 'pkcs8' }) };
  }

  /** Forgets the cached key (after a rotation). */
  forget(): void {
    this.#cached = null;
  }
}
