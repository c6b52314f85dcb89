/** What the bench and the controller process (controllerProcess.ts) tell each other. */
import type { DriverName } from '../../operator/model/index.js';

export interface ControllerArgs {
  readonly paths: readonly string[];
  readonly watchDir: string;
  readonly driver: DriverName;
  readonly stateDir: string;
  readonly statusFile: string;
  readonly addressPool: string;
  /** Sample the V8 heap from the start, for a heap profile written with profileStop. */
  readonly heapSampling?: boolean;
}

export type ControllerEventKind =
  | 'ready'
  | 'fsEvent'
  | 'resolveStart'
  | 'render'
  | 'validate'
  | 'reload'
  | 'applyLive'
  | 'started'
  | 'stopped'
  | 'profiled'
  | 'memory';

/** What the bench asks of the controller process. */
export type ControllerCommand =
  | { readonly command: 'profileStart' }
  | { readonly command: 'profileStop'; readonly file: string; readonly heapFile?: string }
  | { readonly command: 'memory' };

/** `process.memoryUsage()` of the controller, in MiB. */
export interface ControllerMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface ControllerEvent {
  /** clock.ts `now()` when the step started (or happened). */
  readonly t: number;
  readonly kind: ControllerEventKind;
  readonly driver?: DriverName;
  /** How long the step took. */
  readonly ms?: number;
  readonly bytes?: number;
  readonly ok?: boolean;
  readonly pid?: number;
  readonly file?: string;
  readonly detail?: string;
  readonly memory?: ControllerMemory;
}
