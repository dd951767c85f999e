import { SmartFlowsInputError } from '../errors';

/** What `login` sends to `POST /authenticate/login`. */
export interface LoginCredentials {
  /** The user's name; must not be empty. */
  username: string;
  /** The user's password; must not be empty. Redacted from any error body. */
  password: string;
  /** The server's login context (tenant, realm…), when it needs one. */
  loginContext?: string;
}

/** Checks credentials before any request. @throws SmartFlowsInputError */
export function checkCredentials(credentials: LoginCredentials): void {
  if (typeof credentials !== 'object' || credentials === null) throw new SmartFlowsInputError('login needs { username, password }');
  const { username, password, loginContext } = credentials;
  if (typeof username !== 'string' || username === '') throw new SmartFlowsInputError('username must be a non-empty string');
  if (typeof password !== 'string' || password === '') throw new SmartFlowsInputError('password must be a non-empty string');
  if (loginContext !== undefined && typeof loginContext !== 'string') throw new SmartFlowsInputError('loginContext must be a string');
}
