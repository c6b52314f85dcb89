/**
 * Sources turn the outside world into store updates. `files` reads YAML/JSON files and folders
 * (standalone and `render`) and, with watching on, follows their changes; the Kubernetes source
 * arrives with cluster mode. Nothing downstream knows which source an object came from.
 *
 * Must not: interpret Gateway API semantics, or call into the reconcile loop directly (the
 * store's change listeners do that).
 */
export { loadFiles, type FileProblem, type LoadedFiles } from './files.js';
export { FileSource, type FileSourceOptions } from './fileSource.js';
