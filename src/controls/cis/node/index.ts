import type { CatalogControl } from '../../define.js';
import { anonymousAuth, authorizationMode, clientCaFile, readOnlyPort } from './kubelet-access.js';
import { eventRecordQps, iptablesUtilChains, podPidsLimit, seccompDefault, streamingIdleTimeout } from './kubelet-runtime.js';
import { clientCertRotation, servingCertRotation, servingCertificate, strongCiphers } from './kubelet-tls.js';
import hostnameOverride from './hostname-override.js';
import proxyMetrics from './proxy-metrics.js';

/** CIS sections 4.2 and 4.3: kubelet configuration (configz) and kube-proxy. In benchmark order. */
export const NODE_CONTROLS: readonly CatalogControl[] = [
  anonymousAuth, // 4.2.1
  authorizationMode, // 4.2.2
  clientCaFile, // 4.2.3
  readOnlyPort, // 4.2.4
  streamingIdleTimeout, // 4.2.5
  iptablesUtilChains, // 4.2.6
  hostnameOverride, // 4.2.7
  eventRecordQps, // 4.2.8
  servingCertificate, // 4.2.9
  clientCertRotation, // 4.2.10
  servingCertRotation, // 4.2.11
  strongCiphers, // 4.2.12
  podPidsLimit, // 4.2.13
  seccompDefault, // 4.2.14
  proxyMetrics, // 4.3.1
];
