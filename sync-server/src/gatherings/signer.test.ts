// The server's signatures (node:crypto) verify with the browser's verifier (@noble/curves): the two
// Ed25519 implementations agree on the canonical bytes (GA20, GA22).
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newId } from '@hearth/schema/ids';
import { encodeTicketCode, ticketPayload, verifyTicketCode } from '@hearth/schema/tickets/index';
import { rawPublicKey } from './signer';

describe('ticket signatures across implementations', () => {
  it('[GA22] a code signed with node:crypto verifies with the offline verifier, and fails once altered', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const keyId = newId();
    const claims = { ticketId: newId(), eventId: newId(), holderId: newId() };
    const signature = new Uint8Array(sign(null, ticketPayload(claims), privateKey));
    const text = encodeTicketCode({ ...claims, keyId, signature });
    const keys = [{ id: keyId, public_key: rawPublicKey(publicKey) }];
    expect(verifyTicketCode(text, keys).ok).toBe(true);
    const other = encodeTicketCode({ ...claims, eventId: newId(), keyId, signature });
    expect(verifyTicketCode(other, keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
