// TEST CODE ONLY: collab clients as the browser runs them — y-websocket's WebsocketProvider (Node's
// `ws` standing in for the browser WebSocket, sending the session cookie and Origin a page would) —
// and a raw socket for sending bytes no real client would. Waits are on events, never on time.
import { WebSocket, type ClientOptions } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { COLLAB_PATH } from '@hearth/schema/drafts/collab-wire';
import { draftContent, draftXml } from '@hearth/schema/drafts/document';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export interface Headers {
  /** The Cookie header (omit: no session). */
  readonly cookie?: string;
  /** The Origin header; defaults to the server's own origin, null sends none. */
  readonly origin?: string | null;
}

function headersFor(baseUrl: string, headers: Headers): Record<string, string> {
  const origin = headers.origin === undefined ? new URL(baseUrl).origin : headers.origin;
  return {
    ...(headers.cookie !== undefined ? { cookie: headers.cookie } : {}),
    ...(origin !== null ? { origin } : {}),
  };
}

export interface CollabClient {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** The first close of the socket (the server's code and reason). */
  readonly closed: Promise<Closed>;
  /** The first sync step 2 from the server arrived. */
  readonly synced: Promise<void>;
  /** The draft's content as XML (TipTap's `content` fragment). */
  text(): string;
  /** Appends to the first paragraph (made on first use), as typing does. */
  type(text: string): void;
  /** Resolves when `check(text())` holds, re-checked on every change of the document. */
  until(check: (text: string) => boolean): Promise<string>;
  destroy(): void;
}

export function collabClient(
  baseUrl: string,
  draftId: string,
  headers: Headers,
  options: { doc?: Y.Doc } = {},
): CollabClient {
  const doc = options.doc ?? new Y.Doc();
  const sent = headersFor(baseUrl, headers);
  class WebSocketWithCookie extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[], extra?: ClientOptions) {
      super(url, protocols, { ...extra, headers: sent });
    }
  }
  const wsBase = baseUrl.replace(/^http/, 'ws') + COLLAB_PATH;
  const provider = new WebsocketProvider(wsBase, draftId, doc, {
    WebSocketPolyfill: WebSocketWithCookie as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  const closed = new Promise<Closed>((resolve) => {
    provider.on('connection-close', (event) => {
      if (event !== null) resolve({ code: event.code, reason: event.reason });
    });
  });
  const synced = new Promise<void>((resolve) => {
    provider.once('sync', () => resolve());
  });
  const text = () => draftXml(doc);
  return {
    doc,
    provider,
    closed,
    synced,
    text,
    type: (more) => {
      const content = draftContent(doc);
      doc.transact(() => {
        let paragraph = content.get(0);
        if (!(paragraph instanceof Y.XmlElement)) {
          paragraph = new Y.XmlElement('paragraph');
          paragraph.insert(0, [new Y.XmlText()]);
          content.insert(0, [paragraph]);
        }
        const textNode = paragraph.get(0) as Y.XmlText;
        textNode.insert(textNode.length, more);
      });
    },
    until: (check) =>
      new Promise((resolve) => {
        if (check(text())) return resolve(text());
        const onUpdate = () => {
          if (!check(text())) return;
          doc.off('update', onUpdate);
          resolve(text());
        };
        doc.on('update', onUpdate);
      }),
    destroy: () => {
      provider.destroy();
    },
  };
}

export interface RawSocket {
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  /** Binary frames the server sent, in order. */
  readonly received: Uint8Array[];
  /** Resolves with the first received frame that `check` accepts (also one already received). */
  receive(check: (frame: Uint8Array) => boolean): Promise<Uint8Array>;
}

export function rawSocket(
  baseUrl: string,
  draftId: string,
  headers: Headers,
  maxPayload?: number,
): RawSocket {
  const url = `${baseUrl.replace(/^http/, 'ws')}${COLLAB_PATH}/${draftId}`;
  const socket = new WebSocket(url, {
    headers: headersFor(baseUrl, headers),
    ...(maxPayload !== undefined ? { maxPayload } : {}),
  });
  const received: Uint8Array[] = [];
  const waiters: { check: (frame: Uint8Array) => boolean; resolve: (frame: Uint8Array) => void }[] = [];
  socket.on('message', (data) => {
    const frame = new Uint8Array(data as Buffer);
    received.push(frame);
    for (const waiter of [...waiters])
      if (waiter.check(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
  });
  socket.on('error', () => undefined);
  return {
    socket,
    opened: new Promise((resolve) => socket.once('open', () => resolve())),
    closed: new Promise((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    ),
    received,
    receive: (check) =>
      new Promise((resolve) => {
        const found = received.find(check);
        if (found !== undefined) return resolve(found);
        waiters.push({ check, resolve });
      }),
  };
}
