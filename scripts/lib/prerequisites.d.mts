// Types for the parts of prerequisites.mjs that TypeScript code (the test support) uses.
export function builtEntry(root: string, app?: string): string;
export function buildIsFresh(root: string, app?: string): boolean;
export function markBuilt(root: string, app?: string): void;
export const GATEWAY_NODE_FLAGS: string[];
export function onPath(binary: string): boolean;
export function ensureBuilt(tool: string, root: string, app?: string): string;
