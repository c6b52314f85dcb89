/**
 * A RenderedConfig as the data of two Kubernetes objects, and back: the one format the operator
 * publishes and every agent reads (notes/cluster-spec-2.md, "Names"). Both sides must go through
 * this module, so that what one writes is exactly what the other expects.
 *
 * - ConfigMap `gateplane-<gateway>-config`: every file except certificates, under its path with
 *   `/` written `__` (ConfigMap keys allow only [-._a-zA-Z0-9]); `gateplane.hash`,
 *   `gateplane.driver`, `gateplane.main`; and `gateplane.certificates`, the Secret keys this
 *   configuration needs, one a line, so that an agent can tell a Secret it has not seen updated
 *   yet from a complete one. Past COMPRESS_ABOVE_BYTES the files go gzip-compressed into
 *   `binaryData` under `<key>.gz` instead.
 * - Secret `gateplane-<gateway>-certs`: `<id>.pem` for each `certs/<id>.pem`. Certificates (and
 *   their keys) never go to the ConfigMap.
 *
 * Values are as the API carries them: Secret `data` and ConfigMap `binaryData` base64, so the
 * producer can put them in an object as they are. Equal configurations give equal bytes (gzip
 * included), so an unchanged configuration is a no-op apply.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ConfigFile, RenderedConfig } from '../../drivers/driver.js';
import { DRIVER_NAMES } from '../../drivers/index.js';
import type { DriverName } from '../model/types.js';

export const HASH_KEY = 'gateplane.hash';
export const DRIVER_KEY = 'gateplane.driver';
export const MAIN_KEY = 'gateplane.main';
export const CERTIFICATES_KEY = 'gateplane.certificates';
/** The pod annotation an agent sets once its proxy serves a configuration. */
export const APPLIED_HASH_ANNOTATION = 'gateplane.io/applied-hash';
/** Files larger than this in total are compressed (a ConfigMap holds at most 1 MiB). */
export const COMPRESS_ABOVE_BYTES = 512 * 1024;

const RESERVED_PREFIX = 'gateplane.';
const CERT_FOLDER = 'certs/';
const GZ = '.gz';
const SEGMENT = /^[-._a-zA-Z0-9]+$/;

export function configMapName(gateway: string): string {
  return `gateplane-${gateway}-config`;
}

export function certificatesSecretName(gateway: string): string {
  return `gateplane-${gateway}-certs`;
}

/** `data` and `binaryData` of the ConfigMap; binaryData values are base64. */
export interface ConfigMapContent {
  readonly data: Readonly<Record<string, string>>;
  /** Absent when nothing is compressed. */
  readonly binaryData?: Readonly<Record<string, string>>;
}

/** `data` of the Secret (type Opaque); values are base64. */
export interface SecretContent {
  readonly data: Readonly<Record<string, string>>;
}

export interface ConfigBundle {
  readonly configMap: ConfigMapContent;
  readonly secret: SecretContent;
}

/** The ConfigMap or Secret does not hold a configuration this module wrote. */
export class InvalidBundleError extends Error {}

/** The ConfigMap names certificates the Secret does not hold (yet). */
export class IncompleteBundleError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`the Secret lacks ${missing.join(', ')}`);
  }
}

export interface BundleOptions {
  /** Tests lower it to exercise compression; the default is the design's 512 KiB. */
  readonly compressAboveBytes?: number;
}

/** A relative path whose every segment a ConfigMap key can carry, and nothing that climbs out. */
function checkPath(file: string): string | undefined {
  const segments = file.split('/');
  if (segments.some((s) => !SEGMENT.test(s) || s === '.' || s === '..'))
    return 'has a segment a key cannot carry';
  // `a_/b` would be written `a___b` and read back as `a/_b`.
  if (file.includes('__') || segments.some((s) => s.startsWith('_') || s.endsWith('_')))
    return 'contains "__", which stands for "/" in keys, or a segment that starts or ends with "_"';
  if (file.startsWith(RESERVED_PREFIX)) return `starts with the reserved "${RESERVED_PREFIX}"`;
  return undefined;
}

const isCertificate = (file: string): boolean => file.startsWith(CERT_FOLDER);
const fileKey = (file: string): string => file.replaceAll('/', '__');

/** The Secret key of `certs/<name>`: one segment, so it cannot name a file elsewhere. */
function certificateKey(file: string): string {
  const key = file.slice(CERT_FOLDER.length);
  if (key.includes('/')) throw new Error(`certificate file ${file} must sit directly in ${CERT_FOLDER}`);
  return key;
}

export function toBundle(config: RenderedConfig, options: BundleOptions = {}): ConfigBundle {
  const limit = options.compressAboveBytes ?? COMPRESS_ABOVE_BYTES;
  const plain: ConfigFile[] = [];
  const secret: Record<string, string> = {};
  for (const file of config.files) {
    const problem = checkPath(file.path);
    if (problem)
      throw new Error(`file ${JSON.stringify(file.path)} of the ${config.driver} configuration ${problem}`);
    if (isCertificate(file.path))
      secret[certificateKey(file.path)] = Buffer.from(file.content).toString('base64');
    // A private file outside certs/ would land in the ConfigMap, readable by anyone who can list them.
    else if (((file.mode ?? 0o644) & 0o077) === 0)
      throw new Error(`private file ${file.path} must be under ${CERT_FOLDER}`);
    else plain.push(file);
  }
  if (!plain.some((file) => file.path === config.main))
    throw new Error(`main file ${config.main} is not among the files`);
  const size = plain.reduce((total, file) => total + Buffer.byteLength(file.content), 0);
  const compress = size > limit;
  const data: Record<string, string> = {
    [HASH_KEY]: config.hash,
    [DRIVER_KEY]: config.driver,
    [MAIN_KEY]: config.main,
    [CERTIFICATES_KEY]: Object.keys(secret).sort().join('\n'),
  };
  const binaryData: Record<string, string> = {};
  for (const file of plain) {
    // level 9, and Node's gzip header carries no timestamp: equal files, equal bytes.
    if (compress)
      binaryData[fileKey(file.path) + GZ] = gzipSync(file.content, { level: 9 }).toString('base64');
    else data[fileKey(file.path)] = file.content;
  }
  return { configMap: { data, ...(compress ? { binaryData } : {}) }, secret: { data: secret } };
}

function required(data: Readonly<Record<string, string>>, key: string): string {
  const value = data[key];
  if (value === undefined || value === '') throw new InvalidBundleError(`the ConfigMap has no ${key}`);
  return value;
}

function decodedPath(key: string): string {
  const file = key.replaceAll('__', '/');
  const problem = checkPath(file);
  if (problem)
    throw new InvalidBundleError(`ConfigMap key ${JSON.stringify(key)} names a file that ${problem}`);
  if (isCertificate(file))
    throw new InvalidBundleError(`ConfigMap key ${key} is a certificate, which belongs in the Secret`);
  return file;
}

function configMapFiles(content: ConfigMapContent): ConfigFile[] {
  const files = new Map<string, string>();
  for (const [key, value] of Object.entries(content.data)) {
    if (!key.startsWith(RESERVED_PREFIX)) files.set(decodedPath(key), value);
  }
  for (const [key, value] of Object.entries(content.binaryData ?? {})) {
    if (!key.endsWith(GZ)) throw new InvalidBundleError(`binaryData key ${key} does not end in ${GZ}`);
    const file = decodedPath(key.slice(0, -GZ.length));
    if (files.has(file)) throw new InvalidBundleError(`file ${file} is both in data and in binaryData`);
    try {
      files.set(file, gunzipSync(Buffer.from(value, 'base64')).toString('utf8'));
    } catch (cause) {
      throw new InvalidBundleError(`binaryData key ${key} is not gzip data`, { cause });
    }
  }
  return [...files].map(([path, text]) => ({ path, content: text }));
}

function certificateFiles(configMap: ConfigMapContent, secret: SecretContent | undefined): ConfigFile[] {
  const data = secret?.data ?? {};
  const listed = configMap.data[CERTIFICATES_KEY];
  // Without the list (a producer predating it), every key of the Secret is a certificate.
  const keys = listed === undefined ? Object.keys(data) : listed.split('\n').filter((key) => key !== '');
  const missing = keys.filter((key) => data[key] === undefined);
  if (missing.length > 0) throw new IncompleteBundleError(missing);
  return keys.map((key) => {
    const file = `${CERT_FOLDER}${key}`;
    if (!SEGMENT.test(key) || key === '.' || key === '..' || checkPath(file))
      throw new InvalidBundleError(`Secret key ${JSON.stringify(key)} cannot name a certificate file`);
    return { path: file, content: Buffer.from(data[key] ?? '', 'base64').toString('utf8'), mode: 0o600 };
  });
}

const byPath = (a: ConfigFile, b: ConfigFile): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * The configuration a ConfigMap and Secret hold: the main file first, then the other files and
 * the certificates, each sorted by path (the order the drivers render in). Throws
 * InvalidBundleError for data this module did not write, IncompleteBundleError while the Secret
 * lacks a certificate the ConfigMap names.
 */
export function fromBundle(configMap: ConfigMapContent, secret: SecretContent | undefined): RenderedConfig {
  const hash = required(configMap.data, HASH_KEY);
  const driver = required(configMap.data, DRIVER_KEY);
  const main = required(configMap.data, MAIN_KEY);
  if (!(DRIVER_NAMES as readonly string[]).includes(driver))
    throw new InvalidBundleError(`the ConfigMap names an unknown driver ${JSON.stringify(driver)}`);
  const files = configMapFiles(configMap);
  const mainFile = files.find((file) => file.path === main);
  if (!mainFile) throw new InvalidBundleError(`the ConfigMap lacks its main file ${main}`);
  const others = files.filter((file) => file !== mainFile).sort(byPath);
  const certificates = certificateFiles(configMap, secret).sort(byPath);
  return { driver: driver as DriverName, main, hash, files: [mainFile, ...others, ...certificates] };
}
