/** Schemas for the core Kubernetes kinds gateplane reads: only the fields it uses. */
import { isIPv4, isIPv6 } from 'node:net';
import { z } from 'zod';
import { DNS_LABEL, DNS_SUBDOMAIN } from './meta.js';

const portNumber = z.number().int().min(1).max(65535);
const protocol = z.enum(['TCP', 'UDP', 'SCTP']).default('TCP');

export const serviceSpec = z.object({
  type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).default('ClusterIP'),
  clusterIP: z.string().optional(),
  externalName: z.string().optional(),
  selector: z.record(z.string(), z.string()).optional(),
  ports: z
    .array(
      z.object({
        name: z.string().regex(DNS_LABEL).optional(),
        port: portNumber,
        targetPort: z.union([portNumber, z.string().min(1)]).optional(),
        protocol,
        appProtocol: z.string().optional(),
      }),
    )
    .default([]),
});

/** EndpointSlice has no `spec`: its fields sit at the top level of the object. */
export const endpointSliceBody = z
  .object({
    addressType: z.enum(['IPv4', 'IPv6', 'FQDN']),
    endpoints: z
      .array(
        z.object({
          addresses: z.array(z.string().min(1)).min(1).max(100),
          conditions: z
            .object({
              ready: z.boolean().optional(),
              serving: z.boolean().optional(),
              terminating: z.boolean().optional(),
            })
            .default({}),
          targetRef: z.object({ kind: z.string().optional(), name: z.string().optional() }).optional(),
        }),
      )
      .nullish()
      .transform((endpoints) => endpoints ?? []),
    ports: z
      .array(
        z.object({
          name: z.string().optional(),
          port: portNumber.optional(),
          protocol,
          appProtocol: z.string().optional(),
        }),
      )
      .nullish()
      .transform((ports) => ports ?? []),
  })
  .superRefine((slice, ctx) => {
    // Addresses end up in proxy configuration: accept only what the address type allows.
    const valid =
      slice.addressType === 'IPv4'
        ? isIPv4
        : slice.addressType === 'IPv6'
          ? isIPv6
          : (a: string) => DNS_SUBDOMAIN.test(a);
    slice.endpoints.forEach((endpoint, i) =>
      endpoint.addresses.forEach((address, j) => {
        if (!valid(address)) {
          ctx.addIssue({
            code: 'custom',
            path: ['endpoints', i, 'addresses', j],
            message: `must be an ${slice.addressType} address`,
          });
        }
      }),
    );
  });

/** Secret and ConfigMap payloads; Secret `data` is base64 as in the API. */
export const secretBody = z.object({
  type: z.string().default('Opaque'),
  data: z.record(z.string(), z.string()).default({}),
  stringData: z.record(z.string(), z.string()).optional(),
});

export const configMapBody = z.object({
  data: z.record(z.string(), z.string()).default({}),
});

export const namespaceSpec = z.object({}).default({});
