// Gatherings in real Chromium against the real server (web/src/features/gatherings/SPEC.md): two people
// in two browser contexts (two devices, two replicas). The host checks a guest in at the door with no
// network and, back online, both devices show the check-in; an RSVP made offline comes back
// waitlisted and the page says so. Waits for what the pages show (which follows the replica and the
// outbox), never for time.
import { newId } from '@hearth/schema/ids';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { syncStatus, waitForReplicaReady, waitForUpToDate } from './steps';

const PASSWORD = 'correct horse battery staple 42';

interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly name: string;
}

/** A new device with a new account on it, signed in, its replica synced. */
async function newPerson(browser: Browser, name: string): Promise<Person> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  await waitForReplicaReady(page);
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${newId().slice(-12)}@hearth.test`;
  const result = await page.evaluate(
    async (input) => {
      const answer = await window.hearthAuth.signUp(input);
      return answer.ok ? 'ok' : JSON.stringify(answer.failure);
    },
    { email, password: PASSWORD, displayName: name },
  );
  expect(result).toBe('ok');
  await waitForUpToDate(page);
  return { context, page, name };
}

/** Every change this device made has been answered by the server. */
async function drained(page: Page): Promise<void> {
  await expect(syncStatus(page)).toHaveAttribute('data-pending', '0');
  await expect(syncStatus(page)).toHaveAttribute('data-rejected', '0');
}

/** Opens an event from discovery (the in-app way: no reload, the replica stays open). */
async function openEvent(page: Page, title: string): Promise<void> {
  await page.getByRole('link', { name: 'Gatherings' }).click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(title);
  await page.getByTestId('event').getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
}

test('[GW14] a guest’s ticket is checked in at the door offline, and after reconnecting both devices show it', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const host = await newPerson(browser, 'Hana Host');
  const suffix = newId().slice(-6);
  const communityName = `Door Club ${suffix}`;
  const title = `Door night ${suffix}`;

  // The host starts a community and an event in it, with a free tier, through the screens.
  await host.page.getByRole('link', { name: 'Gatherings' }).click();
  await host.page.getByRole('link', { name: 'Communities' }).click();
  await host.page.getByRole('link', { name: 'Start a community' }).click();
  await host.page.getByLabel('Name', { exact: true }).fill(communityName);
  await host.page.getByRole('button', { name: 'Create community' }).click();
  await expect(host.page.getByRole('heading', { level: 1, name: communityName })).toBeVisible();
  await expect(host.page.getByTestId('my-standing')).toHaveText('Admin');
  await host.page.getByRole('link', { name: 'New event' }).click();
  await host.page.getByLabel('Title', { exact: true }).fill(title);
  await host.page.getByLabel('Place', { exact: true }).fill('The old boathouse');
  await host.page.getByRole('button', { name: 'Create event' }).click();
  await expect(host.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await host.page.getByRole('button', { name: 'Add a tier' }).click();
  await host.page.getByLabel('Tier name').fill('General');
  await host.page.getByRole('button', { name: 'Add tier' }).click();
  await expect(host.page.getByTestId('tier-list')).toContainText('General');
  await drained(host.page);

  // A second person, on another device, finds it, replies and gets a ticket.
  const guest = await newPerson(browser, 'Gabi Guest');
  await openEvent(guest.page, title);
  await guest.page
    .getByRole('group', { name: 'Reply' })
    .getByRole('button', { name: 'Going', exact: true })
    .click();
  await expect(guest.page.getByTestId('rsvp-state')).toHaveAttribute('data-status', 'going');
  await guest.page.getByTestId('tiers').getByRole('button', { name: 'Get ticket' }).click();
  await guest.page.getByTestId('my-ticket-link').click();
  const code = guest.page.getByTestId('ticket-code');
  await expect(code).toHaveText(/^HT1\./);
  await expect(guest.page.getByTestId('ticket-qr')).toBeVisible();
  const ticketCode = (await code.textContent()) ?? '';
  await drained(guest.page);

  // The host opens the door once the guest's ticket has reached the host's device, then loses the network.
  await host.page.getByRole('link', { name: 'Check guests in' }).click();
  const counter = host.page.getByTestId('door-counter');
  await expect(counter).toHaveText('0 / 1 checked in');
  await expect(host.page.getByTestId('door-list')).toContainText(guest.name);
  await host.context.setOffline(true);
  await expect(syncStatus(host.page)).toHaveAttribute('data-state', 'offline');

  // An altered code is refused on the device; the real one shows the guest, and is checked in.
  const codeField = host.page.getByRole('textbox', { name: 'Ticket code' });
  const last = ticketCode.at(-2) === 'A' ? 'B' : 'A';
  await codeField.fill(ticketCode.slice(0, -2) + last + ticketCode.slice(-1));
  await host.page.getByRole('button', { name: 'Check code' }).click();
  const verdict = host.page.getByTestId('door-verdict');
  await expect(verdict).toContainText('Not admitted.');
  await codeField.fill(ticketCode);
  await host.page.getByRole('button', { name: 'Check code' }).click();
  await expect(verdict.locator('[data-verdict="valid"]')).toHaveText(guest.name);
  await expect(verdict).toContainText('General');
  await verdict.getByRole('button', { name: 'Check in' }).click();
  await expect(verdict.locator('[data-verdict="checked-in"]')).toContainText(guest.name);
  await expect(counter).toHaveText('1 / 1 checked in');
  await expect(syncStatus(host.page)).toHaveAttribute('data-pending', '1');

  // Back online: the check-in reaches the server, and both devices show it.
  await host.context.setOffline(false);
  await drained(host.page);
  await expect(host.page.locator(`[data-testid="door-list"] [data-checked-in="true"]`)).toContainText(
    guest.name,
  );
  await expect(guest.page.getByTestId('my-ticket-checked-in')).toContainText(`by ${host.name}`);

  await guest.context.close();
  await host.context.close();
});

test('[GW15][GW18] a going reply made offline shows as pending, and when it comes back waitlisted the page says so', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const host = await newPerson(browser, 'Omar Organizer');
  const suffix = newId().slice(-6);
  const title = `One seat left ${suffix}`;
  const eventId = newId();
  const start = Date.now() + 2 * 86_400_000;
  await host.page.evaluate(
    async ({ communityId, eventId, title, suffix, startsAt, endsAt }) => {
      await window.hearth.mutate('createCommunity', {
        id: communityId.id,
        membershipId: communityId.membershipId,
        slug: `one-seat-${suffix}`,
        name: `One Seat Club ${suffix}`,
      });
      await window.hearth.mutate('createEvent', {
        id: eventId.id,
        hostId: eventId.hostId,
        communityId: communityId.id,
        title,
        startsAt,
        endsAt,
        timeZone: 'Europe/Paris',
        placeName: 'A very small room',
        capacity: 1,
      });
    },
    {
      communityId: { id: newId(), membershipId: newId() },
      eventId: { id: eventId, hostId: newId() },
      title,
      suffix,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 7_200_000).toISOString(),
    },
  );
  await drained(host.page);

  const guest = await newPerson(browser, 'Wren Waiting');
  await openEvent(guest.page, title);
  // [GW18] Seats left are the event row's count, the same for a guest as for the host.
  await expect(guest.page.getByTestId('event-seats')).toHaveText('1 of 1 seat left');

  // Offline, the reply waits on the device: the seat is the server's to decide.
  await guest.context.setOffline(true);
  await guest.page
    .getByRole('group', { name: 'Reply' })
    .getByRole('button', { name: 'Going', exact: true })
    .click();
  await expect(guest.page.getByTestId('rsvp-state')).toHaveAttribute('data-status', 'pending');
  await expect(guest.page.getByTestId('rsvp-sending')).toHaveText(/^Pending until we're back online/);

  // Meanwhile the last seat goes to someone online.
  await host.page.evaluate(
    async ({ eventId, rsvpId }) => {
      await window.hearth.mutate('setRsvp', { eventId, rsvpId, status: 'going', guests: 0 });
    },
    { eventId, rsvpId: newId() },
  );
  await drained(host.page);

  // Back online: the server waitlists the reply, and the page says what was asked and what was decided.
  await guest.context.setOffline(false);
  const outcome = guest.page.getByTestId('rsvp-outcome');
  await expect(outcome).toContainText('You asked to go');
  await expect(outcome).toContainText('waitlist at #1');
  await expect(guest.page.getByTestId('rsvp-state')).toHaveAttribute('data-status', 'waitlisted');
  await expect(guest.page.getByTestId('rsvp-state')).toHaveText('You are on the waitlist (#1)');
  await expect(guest.page.getByTestId('rsvp-sending')).toHaveCount(0);
  await expect(guest.page.getByTestId('event-seats')).toHaveText("Full — you'd be waitlisted");

  await guest.context.close();
  await host.context.close();
});
