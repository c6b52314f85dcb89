/**
 * The model layer: Gateway API semantics, and only here. `resolve` turns a store snapshot into
 * one proxy-neutral GatewayModel per Gateway and the status of every object we own.
 *
 * Must not: do I/O, read a clock, log, import a driver, or know any proxy's syntax.
 */
export { resolve, Resolver, type Resolution, type ResolvedGatewayEntry } from './resolve.js';
export { CONTROLLER_NAME, resolveOptions, type ResolveOptions } from './options.js';
export type * from './types.js';
export type * from './status.js';
export type { Condition, ConditionStatus } from './conditions.js';
export * as conditions from './conditions.js';
export { formatName } from './names.js';
