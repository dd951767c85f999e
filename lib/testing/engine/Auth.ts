import type { SimulatorClock, SimulatorUser } from '../types.js';
import type { SimulatorPrincipal } from './ExecutionRecord.js';
import { randomGuid, type Random } from './random.js';

interface IssuedToken {
  principal: SimulatorPrincipal;
  expiresAtMs: number;
}

const base64url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Checks API keys and bearer tokens, and issues tokens on login. */
export class Auth {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly principals = new Map<string, SimulatorPrincipal>();
  /** The user API keys belong to (keys are created per user in the real product). */
  readonly apiKeyUser: SimulatorPrincipal;

  constructor(
    private readonly apiKeys: readonly string[],
    private readonly users: readonly SimulatorUser[],
    private readonly tokenTtlMs: number,
    private readonly clock: SimulatorClock,
    private readonly random: Random,
  ) {
    this.apiKeyUser = { id: randomGuid(random), displayName: 'API key user' };
    for (const user of users) {
      this.principals.set(user.username, { id: randomGuid(random), displayName: user.displayName ?? user.username });
    }
  }

  /** Who the headers identify, or `undefined` when neither key nor token is valid. */
  authenticate(apiKey: string | undefined, authorization: string | undefined): SimulatorPrincipal | undefined {
    if (apiKey !== undefined && this.apiKeys.includes(apiKey)) return this.apiKeyUser;
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (bearer === undefined) return undefined;
    const issued = this.tokens.get(bearer);
    if (!issued) return undefined;
    if (issued.expiresAtMs <= this.clock.now()) {
      this.tokens.delete(bearer);
      return undefined;
    }
    return issued.principal;
  }

  /** A new JWT-shaped token for valid credentials, else `undefined`. */
  login(username: unknown, password: unknown): { token: string; expiresAtMs: number } | undefined {
    const user = this.users.find((u) => u.username === username && u.password === password);
    const principal = user && this.principals.get(user.username);
    if (!principal) return undefined;
    const expiresAtMs = this.clock.now() + this.tokenTtlMs;
    const header = base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url(JSON.stringify({ sub: principal.id, name: principal.displayName, exp: Math.floor(expiresAtMs / 1000) }));
    const token = `${header}.${payload}.${randomGuid(this.random).replace(/-/g, '')}`;
    this.tokens.set(token, { principal, expiresAtMs });
    return { token, expiresAtMs };
  }
}
