import { expect } from 'chai';
import type { Redirect } from '../../../../operator/model/types.js';
import { redirectLocation, type ListenerContext } from '../../../../drivers/haproxy/redirect.js';

const HOST = '%[var(txn.host)]';
const PATH = '%[path]';
const QUERY = '%[url,regsub(^[^?]*,)]';
const http80: ListenerContext = { port: 80, scheme: 'http' };
const http8080: ListenerContext = { port: 8080, scheme: 'http' };
const https443: ListenerContext = { port: 443, scheme: 'https' };
const https8443: ListenerContext = { port: 8443, scheme: 'https' };

/** Gateway API's defaulting rules for scheme and port (HTTPRouteRedirectPortAndScheme). */
const cases: {
  name: string;
  redirect: Omit<Redirect, 'statusCode'>;
  on: ListenerContext;
  location: string;
}[] = [
  {
    name: 'keeps everything on port 80, leaving the port out',
    redirect: {},
    on: http80,
    location: `http://${HOST}${PATH}${QUERY}`,
  },
  {
    name: 'keeps a non-default listener port',
    redirect: {},
    on: http8080,
    location: `http://${HOST}:8080${PATH}${QUERY}`,
  },
  {
    name: 'keeps https on an HTTPS listener',
    redirect: {},
    on: https443,
    location: `https://${HOST}${PATH}${QUERY}`,
  },
  {
    name: 'keeps https and port 8443',
    redirect: {},
    on: https8443,
    location: `https://${HOST}:8443${PATH}${QUERY}`,
  },
  {
    name: 'replaces the hostname only',
    redirect: { hostname: 'example.org' },
    on: http8080,
    location: `http://example.org:8080${PATH}${QUERY}`,
  },
  {
    name: "uses the scheme's own port for a new scheme, then leaves it out",
    redirect: { scheme: 'https' },
    on: http8080,
    location: `https://${HOST}${PATH}${QUERY}`,
  },
  {
    name: 'goes to http on 80 from HTTPS',
    redirect: { scheme: 'http' },
    on: https8443,
    location: `http://${HOST}${PATH}${QUERY}`,
  },
  {
    name: 'writes an explicit port unless it is the scheme default',
    redirect: { scheme: 'http', port: 8080 },
    on: https443,
    location: `http://${HOST}:8080${PATH}${QUERY}`,
  },
  {
    name: 'leaves out an explicit port 80 for http',
    redirect: { port: 80 },
    on: http8080,
    location: `http://${HOST}${PATH}${QUERY}`,
  },
  {
    name: 'writes port 443 for http',
    redirect: { port: 443 },
    on: http80,
    location: `http://${HOST}:443${PATH}${QUERY}`,
  },
  {
    name: 'replaces the full path, escaping % for log-format',
    redirect: { path: { type: 'ReplaceFullPath', value: '/a%20b' } },
    on: http80,
    location: `http://${HOST}/a%%20b${QUERY}`,
  },
  {
    name: 'replaces an empty full path with /',
    redirect: { path: { type: 'ReplaceFullPath', value: '' } },
    on: http80,
    location: `http://${HOST}/${QUERY}`,
  },
  {
    name: 'replaces a prefix by cutting its length off the path',
    redirect: { path: { type: 'ReplacePrefixMatch', prefix: '/foo', value: '/xyz/' } },
    on: http80,
    location: `http://${HOST}/xyz%[path,regsub(^.{4},)]${QUERY}`,
  },
  {
    name: 'replaces a prefix with nothing, keeping a leading /',
    redirect: { path: { type: 'ReplacePrefixMatch', prefix: '/foo', value: '/' } },
    on: http80,
    location: `http://${HOST}/%[path,regsub(^.{4}/?,)]${QUERY}`,
  },
  {
    name: 'puts a replacement in front of every path for the prefix /',
    redirect: { path: { type: 'ReplacePrefixMatch', prefix: '/', value: '/xyz' } },
    on: http80,
    location: `http://${HOST}/xyz${PATH}${QUERY}`,
  },
];

describe('haproxy driver: redirect locations', () => {
  for (const c of cases) {
    it(c.name, () => expect(redirectLocation({ statusCode: 302, ...c.redirect }, c.on)).to.equal(c.location));
  }
});
