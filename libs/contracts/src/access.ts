/** REST roles; each includes the rights of the ones before it. */
export type Role = 'viewer' | 'operator' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** Who did something, as recorded on acknowledgements and shown in logs (never the secret). */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}
