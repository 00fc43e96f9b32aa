// Room tokens for browser tests. Valid ones come from the real `pulsemeet token` command; the
// expired one is signed here (the command refuses a negative lifetime, as it should).
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { serverBinary } from './server';

export function mintWithCli(secret: string, room: string, name?: string): string {
  const args = ['token', '--env-file', '/dev/null', '--room', room, '--ttl', '10m'];
  if (name) args.push('--name', name);
  return execFileSync(serverBinary(), args, { env: { ...process.env, JWT_SECRET: secret } }).toString('utf8').trim();
}

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

export function expiredToken(secret: string, room: string): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify({ room, iat: now - 7200, exp: now - 3600 }))}`;
  return `${body}.${base64url(createHmac('sha256', secret).update(body).digest())}`;
}
