/**
 * Reading the V8 profiles the controller writes with `--profile`: a CPU profile (`.cpuprofile`:
 * self time per function and per source file, so the summary can say where the controller's CPU
 * went) and a sampling heap profile (`.heapprofile`: bytes still alive when it was taken, by the
 * function and file that allocated them, so it can say what holds the controller's memory).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './context.js';
import type { Controller } from './controller.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time, idle excluded. */
  readonly busyMs: number;
  readonly functions: readonly SelfTime[];
  readonly files: readonly SelfTime[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function where(url: string): string {
  if (url === '') return '(native)';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const relative = path.relative(ROOT, file);
  return relative.startsWith('node_modules/') ? relative.split('/').slice(0, 2).join('/') : relative;
}

function top(totals: Map<string, number>, busy: number, count: number): SelfTime[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
}

export async function summarizeProfile(file: string, count = 12): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id)?.callFrame;
    const us = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    busy += us;
    const source = where(frame.url);
    // tsx compiles each module to code whose line numbers say nothing: name the file only.
    const line = frame.url.startsWith('node:') ? `:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'} ${source}${line}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    files.set(source, (files.get(source) ?? 0) + us);
  });
  return {
    file,
    busyMs: busy / 1000,
    functions: top(functions, busy, count),
    files: top(files, busy, count),
  };
}

/** Markdown for one profile: where the controller's CPU went, by source file and by function. */
export function profileMarkdown(title: string, summary: ProfileSummary): string {
  const rows = (items: readonly SelfTime[]): string[] =>
    items.map(
      (item) =>
        `| ${item.name.replaceAll('|', '\\|')} | ${item.ms.toFixed(0)} ms | ${(item.share * 100).toFixed(1)} % |`,
    );
  return [
    `${title}: ${summary.busyMs.toFixed(0)} ms of controller CPU sampled (\`${path.relative(ROOT, summary.file)}\`, open it in Chrome DevTools or speedscope).`,
    '',
    '| self time by source file | ms | share |',
    '| --- | ---: | ---: |',
    ...rows(summary.files.slice(0, 8)),
    '',
    '| self time by function | ms | share |',
    '| --- | ---: | ---: |',
    ...rows(summary.functions),
  ].join('\n');
}

interface HeapNode {
  readonly callFrame: ProfileNode['callFrame'];
  readonly selfSize: number;
  readonly children: readonly HeapNode[];
}

/** Live bytes by allocating function and file; `ms` fields hold MiB here. */
export async function summarizeHeapProfile(file: string, count = 12): Promise<ProfileSummary> {
  const { head } = JSON.parse(await readFile(file, 'utf8')) as { head: HeapNode };
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  const visit = (node: HeapNode): void => {
    if (node.selfSize > 0) {
      const source = where(node.callFrame.url);
      const name = `${node.callFrame.functionName || '(anonymous)'} ${source}`;
      functions.set(name, (functions.get(name) ?? 0) + node.selfSize);
      files.set(source, (files.get(source) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    node.children.forEach(visit);
  };
  visit(head);
  // top() divides by 1000 for µs → ms; bytes → MiB needs 2^20.
  const toMiB = (items: SelfTime[]): SelfTime[] => items.map((i) => ({ ...i, ms: (i.ms * 1000) / 2 ** 20 }));
  return {
    file,
    busyMs: total / 2 ** 20,
    functions: toMiB(top(functions, total, count)),
    files: toMiB(top(files, total, count)),
  };
}

/** Markdown for a heap profile: what the controller's live heap was allocated by. */
export function heapMarkdown(title: string, summary: ProfileSummary): string {
  const rows = (items: readonly SelfTime[]): string[] =>
    items.map(
      (item) =>
        `| ${item.name.replaceAll('|', '\\|')} | ${item.ms.toFixed(1)} MiB | ${(item.share * 100).toFixed(1)} % |`,
    );
  return [
    `${title}: ${summary.busyMs.toFixed(0)} MiB of live V8 heap sampled (\`${path.relative(ROOT, summary.file)}\`), by what allocated it.`,
    '',
    '| live heap by allocating file | MiB | share |',
    '| --- | ---: | ---: |',
    ...rows(summary.files.slice(0, 8)),
    '',
    '| live heap by allocating function | MiB | share |',
    '| --- | ---: | ---: |',
    ...rows(summary.functions),
  ].join('\n');
}

/**
 * Run `measure` with the controller's CPU profiled when the bench runs with `--profile`; the
 * profile is written to `<profileDir>/<name>.cpuprofile` and summarized, and with `heap` (the
 * controller was started with heapSampling) the heap profile to `<name>.heapprofile`.
 */
export async function withProfile<T>(
  context: BenchContext,
  controller: Controller,
  options: { readonly name: string; readonly heap?: boolean },
  measure: () => Promise<T>,
): Promise<{ value: T; profile?: ProfileSummary; heap?: ProfileSummary }> {
  if (context.profileDir === undefined) return { value: await measure() };
  controller.profileStart();
  const value = await measure();
  const heapFile = options.heap ? path.join(context.profileDir, `${options.name}.heapprofile`) : undefined;
  const file = await controller.profileStop(
    path.join(context.profileDir, `${options.name}.cpuprofile`),
    heapFile,
  );
  return {
    value,
    profile: await summarizeProfile(file),
    ...(heapFile ? { heap: await summarizeHeapProfile(heapFile) } : {}),
  };
}
