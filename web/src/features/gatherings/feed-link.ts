// The member's private calendar link (GW19; server rule GA37): `POST /api/communities/:id/calendar-feed`
// answers a `webcal://` URL with a secret token, `DELETE` revokes it. Every call ends in a closed set
// of results, never a throw; bodies are read with zod and only a link to this community's feed is kept.
import { z } from 'zod';

export type FeedLinkResult =
  | { readonly ok: true; readonly url: string; readonly httpUrl: string }
  | { readonly ok: false; readonly message: string };

const linkBody = z.object({ url: z.string(), httpUrl: z.string() });
const errorBody = z.object({ code: z.string(), message: z.string() });

const OFFLINE = 'Getting a calendar link needs the network: try again when this device is back online.';

/** Pure: the server's answer as a result; a link that is not this community's feed is refused. */
export function readFeedLink(communityId: string, status: number, body: unknown): FeedLinkResult {
  const parsed = linkBody.safeParse(body);
  if (status === 201 && parsed.success) {
    const path = `/api/communities/${communityId}/calendar.ics`;
    try {
      const webcal = new URL(parsed.data.url);
      const http = new URL(parsed.data.httpUrl);
      if (
        webcal.protocol === 'webcal:' &&
        webcal.pathname === path &&
        /^https?:$/.test(http.protocol) &&
        http.pathname === path
      )
        return { ok: true, url: webcal.href, httpUrl: http.href };
    } catch {
      // Falls through to the refusal below.
    }
    return { ok: false, message: 'The server answered with a link this app does not recognise.' };
  }
  const refusal = errorBody.safeParse(body);
  return {
    ok: false,
    message: refusal.success ? refusal.data.message : `The server could not make a link (HTTP ${status}).`,
  };
}

async function call(method: 'POST' | 'DELETE', communityId: string): Promise<Response | null> {
  try {
    return await fetch(`/api/communities/${communityId}/calendar-feed`, {
      method,
      credentials: 'same-origin',
    });
  } catch {
    return null;
  }
}

/** A new private link (the previous one stops working). */
export async function requestFeedLink(communityId: string): Promise<FeedLinkResult> {
  if (!navigator.onLine) return { ok: false, message: OFFLINE };
  const response = await call('POST', communityId);
  if (!response) return { ok: false, message: OFFLINE };
  const body: unknown = await response.json().catch(() => null);
  return readFeedLink(communityId, response.status, body);
}

/** Turns the private link off; true when the server confirmed. */
export async function revokeFeedLink(communityId: string): Promise<FeedLinkResult | { ok: true }> {
  if (!navigator.onLine) return { ok: false, message: OFFLINE };
  const response = await call('DELETE', communityId);
  if (!response) return { ok: false, message: OFFLINE };
  if (response.status === 204) return { ok: true };
  return readFeedLink(communityId, response.status, await response.json().catch(() => null));
}
