// Display names: a room token that names its holder fixes the name, and the lobby shows that
// name read-only, the same one everyone in the call sees.
import { expect, test } from '@playwright/test';
import { joinCall, openLobby, tileOf, type Participant } from '../helpers/participant';
import { startServer } from '../helpers/server';
import { mintWithCli } from '../helpers/tokens';

const JWT_SECRET = 'e2e-names-secret-5f1c9a7e3b2d4c6a';

test('a token with a name: the lobby shows it read-only and everyone sees that name', async ({ browser }) => {
  const server = await startServer({ env: { JWT_SECRET } });
  const roomId = `e2e-names-${Date.now().toString(36)}`;
  const people: Participant[] = [];
  try {
    const host = await joinCall(browser, server.baseURL, roomId, 'Ada Host', `token=${mintWithCli(JWT_SECRET, roomId)}`);
    people.push(host);
    const carol = await openLobby(browser, server.baseURL, roomId, 'ignored', `token=${mintWithCli(JWT_SECRET, roomId, 'Carol From Token')}`);
    people.push(carol);
    const input = carol.page.getByTestId('name-input');
    await expect(input).toHaveValue('Carol From Token');
    await expect(input).not.toBeEditable();
    await expect(carol.page.getByTestId('token-name-note')).toBeVisible();

    await expect(carol.page.getByTestId('preview-video')).toHaveJSProperty('readyState', 4, { timeout: 20_000 });
    await carol.page.getByTestId('join-call').click();
    await expect(carol.page.getByTestId('call')).toBeVisible();
    await expect.poll(() => carol.peerId(), { timeout: 20_000 }).not.toBe('');
    // Her own tile and Ada's view of her show the same name.
    await expect(carol.page.locator('[data-testid="tile"][data-local="true"]').getByTestId('tile-name')).toContainText('Carol From Token');
    await expect(tileOf(host.page, await carol.peerId()).getByTestId('tile-name')).toHaveText('Carol From Token');
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});

test('a token without a name leaves the name field editable', async ({ browser }) => {
  const server = await startServer({ env: { JWT_SECRET } });
  const roomId = `e2e-names-free-${Date.now().toString(36)}`;
  const p = await openLobby(browser, server.baseURL, roomId, 'Typed Name', `token=${mintWithCli(JWT_SECRET, roomId)}`);
  try {
    await expect(p.page.getByTestId('name-input')).toBeEditable();
    await expect(p.page.getByTestId('name-input')).toHaveValue('Typed Name');
    await expect(p.page.getByTestId('token-name-note')).toHaveCount(0);
  } finally {
    await p.close();
    await server.stop();
  }
});

test('blank names become "Guest 1" and "Guest 2" in the room, the same on every screen', async ({ browser }) => {
  const server = await startServer();
  const roomId = `e2e-guests-${Date.now().toString(36)}`;
  const people: Participant[] = [];
  try {
    const first = await joinCall(browser, server.baseURL, roomId, '');
    people.push(first);
    const second = await joinCall(browser, server.baseURL, roomId, '   ');
    people.push(second);
    const ownName = (p: Participant) => p.page.locator('[data-testid="tile"][data-local="true"]').getByTestId('tile-name');
    await expect(ownName(first)).toContainText('Guest 1');
    await expect(ownName(second)).toContainText('Guest 2');
    await expect(tileOf(first.page, await second.peerId()).getByTestId('tile-name')).toHaveText('Guest 2');
    await expect(tileOf(second.page, await first.peerId()).getByTestId('tile-name')).toHaveText('Guest 1');
  } finally {
    for (const p of people) await p.close().catch(() => undefined);
    await server.stop();
  }
});
