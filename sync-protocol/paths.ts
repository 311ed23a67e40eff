/** The server's routes as both sides name them; the OpenAPI document at /openapi.json describes them all. */
export const apiBase = '/api/v1';

export const syncPaths = {
  enrol: `${apiBase}/enrol`,
  push: `${apiBase}/sync/push`,
  state: `${apiBase}/sync/state`,
  config: `${apiBase}/sync/config`,
} as const;

/** Prefixes of the bearer secrets, so a secret pasted in the wrong place is recognised. */
export const secretPrefixes = {
  enrolment: 'tle_',
  station: 'tls_',
  apiToken: 'tlt_',
} as const;
