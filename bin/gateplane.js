#!/usr/bin/env node
// Entry point: loads the TypeScript sources through tsx, so no build step stands between a
// checkout and a running gateplane.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../operator/main.ts');
await main(process.argv.slice(2));
