import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

/** `hardening:`: the image policy of HARD-image-digest and HARD-image-registry, the namespaces of HARD-network-internet-egress. */

const base = 'clusters:\n  - name: a\n    kubeconfig: k\n';
const parse = (text: string) => parseConfig(`${base}${text}`, '/etc/complyd/complyd.yaml', {});

describe('hardening configuration', () => {
  it('is off by default', () => {
    expect(parse('').hardening).toEqual({ requireDigest: false, allowedRegistries: [], noInternetEgress: { namespaces: [] }, resources: { cpu: ['requests', 'limits'], memory: ['requests', 'limits'] } });
  });

  it('reads which of request and limit are required, per resource, and names a bad entry', () => {
    expect(parse('hardening:\n  resources:\n    cpu: [requests]\n').hardening.resources).toEqual({ cpu: ['requests'], memory: ['requests', 'limits'] });
    expect(parse('hardening:\n  resources: {cpu: [], memory: [limits]}\n').hardening.resources).toEqual({ cpu: [], memory: ['limits'] });
    expect(() => parse('hardening:\n  resources:\n    cpu: [request]\n')).toThrow(/hardening\.resources\.cpu\[0\]/);
    expect(() => parse('hardening:\n  resources:\n    cpu: [limits, limits]\n')).toThrow(/hardening\.resources\.cpu: must name requests and limits at most once each/);
    expect(() => parse('hardening:\n  resources:\n    gpu: [limits]\n')).toThrow(ConfigError);
  });

  it('reads a digest requirement and a registry allow-list', () => {
    expect(parse('hardening:\n  requireDigest: true\n  allowedRegistries: [registry.example.com, "ghcr.io/team", "registry.local:5000"]\n').hardening).toEqual({
      requireDigest: true,
      allowedRegistries: ['registry.example.com', 'ghcr.io/team', 'registry.local:5000'],
      noInternetEgress: { namespaces: [] },
      resources: { cpu: ['requests', 'limits'], memory: ['requests', 'limits'] },
    });
  });

  it('reads the namespaces that need no internet, by name and by selector, and names a bad one', () => {
    expect(parse('hardening:\n  noInternetEgress:\n    namespaces: [payments]\n    namespaceSelector: {matchLabels: {egress: internal}}\n').hardening.noInternetEgress).toEqual({
      namespaces: ['payments'],
      namespaceSelector: { matchLabels: { egress: 'internal' } },
    });
    expect(() => parse('hardening:\n  noInternetEgress:\n    namespaces: [Payments]\n')).toThrow(/hardening\.noInternetEgress\.namespaces\[0\]: must be a namespace name/);
    expect(() => parse('hardening:\n  noInternetEgress:\n    namespaceSelector: {matchExpressions: [{key: a, operator: In}]}\n')).toThrow(/noInternetEgress\.namespaceSelector/);
  });

  it('names the key of a registry that is not one', () => {
    expect(() => parse('hardening:\n  allowedRegistries: ["https://registry.example.com"]\n')).toThrow(ConfigError);
    expect(() => parse('hardening:\n  allowedRegistries: ["https://registry.example.com"]\n')).toThrow(/hardening\.allowedRegistries\[0\]: must be a registry host/);
  });

  it('refuses an unknown key under hardening', () => {
    expect(() => parse('hardening:\n  requireDigests: true\n')).toThrow(/hardening/);
  });
});
