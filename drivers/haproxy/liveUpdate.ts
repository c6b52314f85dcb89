/**
 * Changes without a reload (Driver.applyLive): when a model differs from the one the proxy
 * serves only in the endpoints of its upstreams and in the rules of mapped virtual hosts
 * (maps.ts), the running proxy's server slots (slots.ts) are re-pointed and its route maps
 * edited through the runtime API (runtimeApi.ts), then the status endpoint's hash variable is
 * set to the new configuration's hash. A reload costs every request in flight a listen-backlog
 * wait and re-parses everything; this costs a few commands on one socket.
 *
 * Routes: a mapped host added, changed or removed is a difference in the entries of its port's
 * maps, applied with `add map`, `set map` and `del map` on the map the running proxy loaded
 * (found with `show map`, named by its content at the last load). Additions and changes go
 * first, removals last, so that a key moving from the exact map to the prefix map is never
 * missing from both. A new backend is not something HAProxy 2.6 can add at run time: a route to
 * a Service the running proxy has no backend for, like any change to the other hosts, takes a
 * reload. A backend whose routes went away stays loaded until the next reload, so a route that
 * returns to it (a canary flipped back and forth) does not.
 *
 * What the running proxy has is read from it (`show servers state` and `show servers conn` of
 * each changed backend), not remembered: its slots are those of the configuration it last
 * loaded, whatever was committed since, and a failed reload or a restart cannot leave a stale
 * copy behind. Only backends whose endpoints changed are read and touched.
 *
 * Per backend, in slot order:
 * 1. an endpoint still wanted keeps its slot; one whose slot was set to maintenance earlier (same
 *    address and port) gets it back;
 * 2. a new endpoint takes a slot in maintenance that carries no request (`used_cur` 0): the slot
 *    is re-pointed (`set server ... addr`) and made ready;
 * 3. then the slots of endpoints no longer wanted go to maintenance: no new request goes there,
 *    requests in flight finish. Adding before removing keeps the backend from being empty for a
 *    moment when every endpoint is replaced.
 * Step 2 never re-points a slot with a request in flight, nor one freed in the same update:
 * measured on 2.6.12, the connection of a request in flight during `set server ... addr` goes
 * back to the slot when the request ends, and later requests reuse it, reaching the old address.
 * A slot in maintenance whose requests have finished is safe (its idle connections are dropped).
 * 4. new endpoints beyond those slots get dynamic servers (`add server`, then `state ready`),
 *    named `dyn<n>` where rendered slots are `ep<n>` (slots.ts), with the idle-connection pool a
 *    rendered server has: on 2.6 a dynamic server defaults to `pool-max-conn 0` and
 *    `pool-purge-delay 0`, which opens a server connection per request. A dynamic server is a
 *    slot like any other from then on: removed, it goes to maintenance and is reused by a later
 *    growth, never deleted (`del server` refuses while idle connections remain, and a slot in
 *    maintenance costs nothing per request). The next reload renders the endpoints into slots of
 *    the then-rendered capacity, and the dynamic servers are gone. So an endpoint-only change is
 *    always live; only a refused command makes the caller reload.
 *
 * The result is read back before the hash is set: the status endpoint only answers the new hash
 * once the proxy really serves the new endpoints, as after a reload.
 */
import net from 'node:net';
import { memoized } from '../../operator/model/memo.js';
import type { Endpoint, GatewayModel, HttpListenerPort, Upstream } from '../../operator/model/types.js';
import type { RenderTarget } from '../driver.js';
import { differingHosts } from '../portSeries.js';
import {
  frontendName,
  isMapOf,
  MAP_KINDS,
  portMaps,
  type MapEntry,
  type MapKind,
  type PortMaps,
} from './maps.js';
import { configHash } from './render.js';
import { adminSocketPath, readLiveServers, RuntimeSession, type LiveServer } from './runtimeApi.js';
import { hostForAddress } from './slots.js';

/**
 * Whether `next` differs from `served` in nothing but what the runtime API can change: the
 * upstreams (their endpoints, and which of them exist, as long as the running proxy has a
 * backend for each: see applyLiveHaproxy) and the mapped hosts of ports that use maps.
 */
export function liveDifferenceOnly(served: GatewayModel, next: GatewayModel): boolean {
  return reloadShape(served) === reloadShape(next);
}

/** A model without what a live update can change, as text; once per model, which is immutable. */
const reloadShape = memoized((model: GatewayModel): string =>
  JSON.stringify({
    ...model,
    upstreams: [],
    ports: model.ports.map((port) => {
      const maps = portMaps(port);
      if (!maps) return port;
      return { ...port, virtualHosts: port.virtualHosts.filter((_, i) => !maps.mapped[i]), maps: true };
    }),
  }),
);

/**
 * The upstreams of `next` whose endpoints are not those of the same upstream in `served`, and
 * those `served` does not have (a backend left from an earlier configuration holds whatever it
 * held then).
 */
export function changedUpstreams(served: GatewayModel, next: GatewayModel): Upstream[] {
  const before = new Map(served.upstreams.map((u) => [u.name, JSON.stringify(u.endpoints)]));
  return next.upstreams.filter((u) => before.get(u.name) !== JSON.stringify(u.endpoints));
}

/**
 * The commands that make `servers` (one backend's slots, in slot order) serve exactly
 * `endpoints`, adding dynamic servers where the backend has too few free slots.
 */
export function planBackend(
  backend: string,
  servers: readonly LiveServer[],
  endpoints: readonly Endpoint[],
): string[] {
  const missing = new Multiset(endpoints.map((e) => endpointKey(e.address, e.port)));
  const taken = new Set<LiveServer>();
  const adds: string[] = [];
  const set = (server: LiveServer, what: string): string => `set server ${backend}/${server.name} ${what}`;
  // Serving slots first, so that an endpoint listed twice (which the proxy cannot tell from
  // once) does not move to a slot in maintenance.
  for (const server of [...servers.filter((s) => s.serving), ...servers.filter((s) => !s.serving)]) {
    if (!missing.take(serverKey(server))) continue;
    taken.add(server);
    if (!server.serving) adds.push(set(server, 'state ready'));
  }
  const free = servers.filter((s) => !s.serving && !taken.has(s) && s.used === 0);
  const added = endpoints.filter((e) => missing.take(endpointKey(e.address, e.port)));
  added.slice(0, free.length).forEach((endpoint, index) => {
    const slot = free[index]!;
    adds.push(set(slot, `addr ${endpoint.address} port ${endpoint.port}`), set(slot, 'state ready'));
  });
  const names = new Set(servers.map((s) => s.name));
  let next = 0;
  for (const endpoint of added.slice(free.length)) {
    while (names.has(dynamicServerName(next))) next++;
    const name = dynamicServerName(next++);
    adds.push(
      `add server ${backend}/${name} ${hostForAddress(endpoint.address)}:${endpoint.port} ${DYNAMIC_SERVER_OPTIONS}`,
      `set server ${backend}/${name} state ready`,
    );
  }
  const removes = servers.filter((s) => s.serving && !taken.has(s)).map((s) => set(s, 'state maint'));
  return [...adds, ...removes];
}

/** Rendered slots are `ep<n>` (slots.ts): these names cannot collide with them. */
export function dynamicServerName(index: number): string {
  return `dyn${index}`;
}

/**
 * What a dynamic server needs to behave like a rendered one. It does not inherit `default-server`
 * (we have none), and 2.6 gives it no idle-connection pool unless asked: the defaults of a
 * rendered server (unlimited idle connections, purged after 5 s) are spelled out.
 */
export const DYNAMIC_SERVER_OPTIONS = 'pool-max-conn -1 pool-purge-delay 5s';

/** The Driver.applyLive of HAProxy: see the top of this file. */
export async function applyLiveHaproxy(
  served: GatewayModel,
  next: GatewayModel,
  target: RenderTarget,
): Promise<boolean> {
  if (!liveDifferenceOnly(served, next)) return false;
  const session = new RuntimeSession(adminSocketPath(target.runtimeDir));
  try {
    return await applyOver(session, served, next, target);
  } finally {
    session.close();
  }
}

/** applyLiveHaproxy's commands, every batch over one runtime API session. */
async function applyOver(
  session: RuntimeSession,
  served: GatewayModel,
  next: GatewayModel,
  target: RenderTarget,
): Promise<boolean> {
  if (!(await hasBackends(session, served, next))) return false;
  const changed = changedUpstreams(served, next);
  for (const upstream of changed) checkEndpoints(upstream);
  if (changed.length > 0) {
    const live = await readBackends(session, changed);
    const commands: string[] = [];
    for (const upstream of changed) {
      commands.push(...planBackend(upstream.name, live.get(upstream.name) ?? [], upstream.endpoints));
    }
    if (commands.length > 0) {
      // The read-back rides the same session, after the changes.
      const answers = await session.run([...commands, ...showCommands(changed)]);
      commands.forEach((command, index) => checkAnswer(command, answers[index]!));
      checkServing(changed, liveServers(changed, answers.slice(commands.length)));
    }
  }
  await updateMaps(session, served, next);
  const hash = configHash(next, target);
  const setHash = ['experimental-mode on', `set var proc.gateplane_hash str(${hash})`];
  const answers = await session.run(setHash);
  setHash.forEach((command, index) => checkAnswer(command, answers[index]!));
  return true;
}

/**
 * Whether the running proxy has a backend for every upstream of `next`. HAProxy 2.6 cannot add
 * one at run time, but a backend whose last route went away stays loaded, unused, until the next
 * reload: a route that comes back to it (a canary flipped back and forth) needs no reload.
 */
async function hasBackends(
  session: RuntimeSession,
  served: GatewayModel,
  next: GatewayModel,
): Promise<boolean> {
  const known = new Set(served.upstreams.map((u) => u.name));
  const others = next.upstreams.filter((u) => !known.has(u.name));
  if (others.length === 0) return true;
  const [listing] = await session.run(['show backend']);
  const loaded = new Set(listing!.split('\n').map((line) => line.trim()));
  return others.every((u) => loaded.has(u.name));
}

/** Edit the loaded route maps of every port whose mapped hosts changed. */
async function updateMaps(session: RuntimeSession, served: GatewayModel, next: GatewayModel): Promise<void> {
  const before = new Map(served.ports.map((port) => [port.port, port]));
  const edits: { frontend: string; kind: MapKind; commands: (map: string) => string[] }[] = [];
  for (const port of next.ports) {
    const previous = before.get(port.port);
    const after = portMaps(port);
    const was = previous && portMaps(previous);
    if (!after || !was) continue;
    const frontend = frontendName(port);
    const changed = changedEntries(previous, was, port, after);
    for (const kind of MAP_KINDS) {
      const plan = planMap(changed.before(kind), changed.after(kind));
      if (plan.length > 0) edits.push({ frontend, kind, commands: (map) => plan.map((c) => c(map)) });
    }
  }
  if (edits.length === 0) return;
  const [listing] = await session.run(['show map']);
  const loaded = loadedMaps(listing!);
  const commands = edits.flatMap(({ frontend, kind, commands: build }) => {
    const map = loaded.find((m) => isMapOf(m.file, frontend, kind));
    if (!map) throw new Error(`haproxy has no ${kind} map of ${frontend} loaded: ${listing!.trim()}`);
    return build(`#${map.id}`);
  });
  const answers = await session.run(commands);
  commands.forEach((command, index) => checkAnswer(command, answers[index]!));
}

/**
 * The entries of the hosts where two ports differ. Hosts outside that range are the same
 * objects with the same entries, and no two hosts share a key (maps.ts), so the difference of
 * these is the difference of the whole maps; with names that differ only in case, it is not,
 * and the whole maps are compared.
 */
export function changedEntries(
  beforePort: HttpListenerPort,
  before: PortMaps,
  afterPort: HttpListenerPort,
  after: PortMaps,
): { before(kind: MapKind): readonly MapEntry[]; after(kind: MapKind): readonly MapEntry[] } {
  if (before.mixedCase || after.mixedCase)
    return { before: (kind) => before.entries(kind), after: (kind) => after.entries(kind) };
  const { start, beforeEnd, afterEnd } = differingHosts(beforePort.virtualHosts, afterPort.virtualHosts);
  const range = (maps: PortMaps, end: number, kind: MapKind) =>
    maps.hosts.slice(start, end).flatMap((host) => host?.entries[kind] ?? []);
  return { before: (kind) => range(before, beforeEnd, kind), after: (kind) => range(after, afterEnd, kind) };
}

/** The commands, for a map reference still to fill in, that turn `before` into `after`. */
export function planMap(
  before: readonly MapEntry[],
  after: readonly MapEntry[],
): ((map: string) => string)[] {
  const old = new Map(before.map((e) => [e.key, e.backend]));
  const wanted = new Set(after.map((e) => e.key));
  const adds: ((map: string) => string)[] = [];
  const sets: ((map: string) => string)[] = [];
  for (const { key, backend } of after) {
    const was = old.get(key);
    if (was === undefined) adds.push((map) => `add map ${map} ${key} ${backend}`);
    else if (was !== backend) sets.push((map) => `set map ${map} ${key} ${backend}`);
  }
  const dels = before
    .filter((e) => !wanted.has(e.key))
    .map((e) => (map: string) => `del map ${map} ${e.key}`);
  return [...adds, ...sets, ...dels];
}

/** `show map` without argument: `<id> (<file>) <description>` per loaded map. */
export function loadedMaps(listing: string): { id: number; file: string }[] {
  return [...listing.matchAll(/^(\d+) \((.*?)\) /gm)].map((m) => ({ id: Number(m[1]), file: m[2]! }));
}

async function readBackends(
  session: RuntimeSession,
  upstreams: readonly Upstream[],
): Promise<Map<string, LiveServer[]>> {
  return liveServers(upstreams, await session.run(showCommands(upstreams)));
}

function showCommands(upstreams: readonly Upstream[]): string[] {
  return upstreams.flatMap((u) => [`show servers state ${u.name}`, `show servers conn ${u.name}`]);
}

/** The answers of showCommands(upstreams), by backend. */
function liveServers(upstreams: readonly Upstream[], answers: readonly string[]): Map<string, LiveServer[]> {
  return new Map(
    upstreams.map((upstream, index) => {
      const servers = readLiveServers(answers[2 * index]!, answers[2 * index + 1]!);
      return [upstream.name, servers.filter((s) => s.backend === upstream.name)];
    }),
  );
}

/** What each changed backend serves after the update: exactly its endpoints, or it failed. */
function checkServing(
  upstreams: readonly Upstream[],
  live: ReadonlyMap<string, readonly LiveServer[]>,
): void {
  for (const upstream of upstreams) {
    const serving = (live.get(upstream.name) ?? []).filter((s) => s.serving).map(serverKey);
    const wanted = upstream.endpoints.map((e) => endpointKey(e.address, e.port));
    if (JSON.stringify(serving.sort()) !== JSON.stringify(wanted.sort())) {
      throw new Error(
        `haproxy backend ${upstream.name} serves ${serving.join(' ') || 'nothing'} after a live update, not ${wanted.join(' ') || 'nothing'}`,
      );
    }
  }
}

/** What a successful command answers; anything else is HAProxy refusing it. */
function checkAnswer(command: string, answer: string): void {
  const ok = /^set server \S+ addr /.test(command)
    ? /^(IP changed from|no need to change the addr)/.test(answer)
    : /^add server /.test(command)
      ? answer === 'New server registered.'
      : answer === '';
  if (!ok) throw new Error(`haproxy refused \`${command}\`: ${answer.trim() || '(no answer)'}`);
}

/**
 * Endpoints reach a command line: anything but an IP literal and a port would change its
 * meaning. render() refuses the same endpoints, but the live path runs before render's files.
 */
function checkEndpoints(upstream: Upstream): void {
  for (const { address, port, family } of upstream.endpoints) {
    const ok =
      net.isIP(address) === (family === 'IPv6' ? 6 : 4) && Number.isInteger(port) && port > 0 && port < 65536;
    if (!ok)
      throw new Error(`internal: upstream ${upstream.name} endpoint ${JSON.stringify(address)}:${port}`);
  }
}

/** One spelling per address, the one HAProxy prints: IPv6 compressed and lowercased. */
function endpointKey(address: string, port: number): string {
  const canonical = net.isIPv6(address) ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
  return `${canonical} ${port}`;
}

function serverKey(server: LiveServer): string {
  return endpointKey(server.address, server.port);
}

class Multiset {
  private readonly counts = new Map<string, number>();

  constructor(keys: readonly string[]) {
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Remove one `key`; false if there was none. */
  take(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    if (count === 0) return false;
    this.counts.set(key, count - 1);
    return true;
  }
}
