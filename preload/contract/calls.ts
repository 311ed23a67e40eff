import { z } from 'zod';
import {
  auditExportSchema,
  auditFilterSchema,
  auditPageSchema,
  auditVerificationSchema,
  listAuditInput,
  verifyAuditInput,
} from './audit.schema';
import {
  adoptCaKeyInput,
  caIdInput,
  caPemResult,
  caSchema,
  createIssuingCaInput,
  createIssuingCaResult,
  createRootCaInput,
  importCaCertificateInput,
  importTrustAnchorInput,
  keyStoreStatusSchema,
  unlockKeyStoreInput,
} from './ca.schema';
import {
  certificateIdInput,
  certificateRecordSchema,
  issueCertificateInput,
  issuedCertificateSchema,
  listCertificatesInput,
} from './certificate.schema';
import { defineCall } from './define';
import {
  createJobInput,
  jobIdInput,
  jobProblemsInput,
  jobRowProblemSchema,
  jobSchema,
  jobTemplateInput,
  jobTemplateSchema,
  startJobInput,
} from './jobs.schema';
import {
  createDeviceGroupInput,
  deviceGroupIdInput,
  deviceGroupSchema,
  renameDeviceGroupInput,
} from './device-group.schema';
import {
  deviceIdInput,
  devicePageSchema,
  deviceSchema,
  listDevicesInput,
  registerDeviceInput,
  setDeviceStatusInput,
} from './device.schema';
import {
  createRecipeInput,
  lineRunSchema,
  lineStatusSchema,
  qaInspectInput,
  qaInspectionSchema,
  qaReportInput,
  qaReportSchema,
  qaVerdictSchema,
  recipeIdInput,
  recipeSchema,
  recordVerdictInput,
  scanInput,
  startLineInput,
  updateRecipeInput,
} from './line.schema';
import {
  createPolicyInput,
  policyIdInput,
  policyPresetSchema,
  policyPreviewSchema,
  policySchema,
  previewPolicyInput,
  updatePolicyInput,
} from './policy.schema';
import { enrolStationInput, syncStatusSchema } from './sync.schema';

import {
  apiTokenSchema,
  authStateSchema,
  createdTokenSchema,
  createRoleInput,
  createServiceUserInput,
  createTokenInput,
  createUserInput,
  roleIdInput,
  roleSchema,
  sessionInfoSchema,
  setupFirstAdminInput,
  signedInSchema,
  signInInput,
  tokenIdInput,
  unlockInput,
  updateUserInput,
  userIdInput,
  userSchema,
} from './users.schema';

/**
 * Every call the renderer can make, declared once. The Electron adapter, the loopback bridge
 * and the renderer's client are all driven by this table; a name that is not here does not exist.
 */
export const calls = {
  'deviceGroups.list': defineCall({
    summary: 'List device groups with their device counts',
    input: z.strictObject({}),
    output: z.array(deviceGroupSchema),
    permission: 'deviceGroups.view',
  }),
  'deviceGroups.create': defineCall({
    summary: 'Create a device group',
    input: createDeviceGroupInput,
    output: deviceGroupSchema,
    permission: 'deviceGroups.manage',
  }),
  'deviceGroups.rename': defineCall({
    summary: 'Rename a device group',
    input: renameDeviceGroupInput,
    output: deviceGroupSchema,
    permission: 'deviceGroups.manage',
  }),
  'deviceGroups.delete': defineCall({
    summary: 'Delete a device group that has no devices',
    input: deviceGroupIdInput,
    output: z.object({ id: z.string() }),
    permission: 'deviceGroups.manage',
  }),
  'devices.list': defineCall({
    summary: 'One page of devices, searched and filtered',
    input: listDevicesInput,
    output: devicePageSchema,
    permission: 'devices.view',
  }),
  'devices.get': defineCall({
    summary: 'One device by ID',
    input: deviceIdInput,
    output: deviceSchema,
    permission: 'devices.view',
  }),
  'devices.register': defineCall({
    summary: 'Register a single device in a group',
    input: registerDeviceInput,
    output: deviceSchema,
    permission: 'devices.create',
  }),
  'devices.setStatus': defineCall({
    summary: 'Enable or disable a device',
    input: setDeviceStatusInput,
    output: deviceSchema,
    permission: 'devices.manage',
  }),
  'devices.delete': defineCall({
    summary: 'Mark a device Deleted; the record stays for the audit trail',
    input: deviceIdInput,
    output: deviceSchema,
    permission: 'devices.manage',
  }),
  'keyStore.status': defineCall({
    summary: 'Which key store holds the CA keys, and whether it is unlocked',
    input: z.strictObject({}),
    output: keyStoreStatusSchema,
    permission: 'cas.view',
  }),
  'keyStore.unlock': defineCall({
    summary: 'Log in to the key store with its PIN (held in memory only)',
    input: unlockKeyStoreInput,
    output: keyStoreStatusSchema,
    permission: 'cas.manage',
  }),
  'cas.list': defineCall({
    summary: 'List CAs with their chains',
    input: z.strictObject({}),
    output: z.array(caSchema),
    permission: 'cas.view',
  }),
  'cas.createRoot': defineCall({
    summary: 'Create a self-signed root CA with its key in the key store (labs, demos)',
    input: createRootCaInput,
    output: caSchema,
    permission: 'cas.manage',
  }),
  'cas.createIssuing': defineCall({
    summary: "Create an issuing CA key in the key store and its CSR for the company's root",
    input: createIssuingCaInput,
    output: createIssuingCaResult,
    permission: 'cas.manage',
  }),
  'cas.importCertificate': defineCall({
    summary: "Import an issuing CA's signed certificate, checked against its key and chain",
    input: importCaCertificateInput,
    output: caSchema,
    permission: 'cas.manage',
  }),
  'cas.importTrustAnchor': defineCall({
    summary: 'Import a root certificate that chains are built to',
    input: importTrustAnchorInput,
    output: caSchema,
    permission: 'cas.manage',
  }),
  'cas.adoptKey': defineCall({
    summary: 'Adopt a key already in the key store, with its CA certificate',
    input: adoptCaKeyInput,
    output: caSchema,
    permission: 'cas.manage',
  }),
  'cas.exportCertificate': defineCall({
    summary: "A CA's certificate as PEM",
    input: caIdInput,
    output: caPemResult,
    permission: 'cas.view',
  }),
  'cas.exportCsr': defineCall({
    summary: "An issuing CA's CSR as PEM, while it awaits its certificate",
    input: caIdInput,
    output: caPemResult,
    permission: 'cas.view',
  }),
  'policies.presets': defineCall({
    summary: 'The policy presets a new policy can start from',
    input: z.strictObject({}),
    output: z.array(policyPresetSchema),
    permission: 'policies.view',
  }),
  'policies.list': defineCall({
    summary: 'List certificate management policies',
    input: z.strictObject({}),
    output: z.array(policySchema),
    permission: 'policies.view',
  }),
  'policies.get': defineCall({
    summary: 'One certificate management policy',
    input: policyIdInput,
    output: policySchema,
    permission: 'policies.view',
  }),
  'policies.create': defineCall({
    summary: 'Create a certificate management policy, optionally from a preset',
    input: createPolicyInput,
    output: policySchema,
    permission: 'policies.manage',
  }),
  'policies.update': defineCall({
    summary: 'Change a certificate management policy',
    input: updatePolicyInput,
    output: policySchema,
    permission: 'policies.manage',
  }),
  'policies.preview': defineCall({
    summary: 'The certificate a policy would issue for a sample device',
    input: previewPolicyInput,
    output: policyPreviewSchema,
    permission: 'policies.view',
  }),
  'certificates.issue': defineCall({
    summary: 'Issue a certificate from a CSR or public key under a policy, recorded before it is returned',
    input: issueCertificateInput,
    output: issuedCertificateSchema,
    permission: 'certificates.issue',
  }),
  'certificates.list': defineCall({
    summary: 'Recently issued certificates, newest first',
    input: listCertificatesInput,
    output: z.array(certificateRecordSchema),
    permission: 'certificates.view',
  }),
  'certificates.get': defineCall({
    summary: 'One issued certificate with its PEM and chain',
    input: certificateIdInput,
    output: issuedCertificateSchema,
    permission: 'certificates.view',
  }),
  'recipes.list': defineCall({
    summary: 'List station recipes',
    input: z.strictObject({}),
    output: z.array(recipeSchema),
    permission: 'line.view',
  }),
  'recipes.create': defineCall({
    summary: 'Create a station recipe (group, policy, key generation, driver, ports, attributes, lock)',
    input: createRecipeInput,
    output: recipeSchema,
    permission: 'recipes.manage',
  }),
  'recipes.update': defineCall({
    summary: 'Change a station recipe (not while the line runs it)',
    input: updateRecipeInput,
    output: recipeSchema,
    permission: 'recipes.manage',
  }),
  'recipes.delete': defineCall({
    summary: 'Delete a station recipe that no run used',
    input: recipeIdInput,
    output: z.object({ id: z.string() }),
    permission: 'recipes.manage',
  }),
  'line.status': defineCall({
    summary: 'The line now: a tile per port, shift counters and throughput',
    input: z.strictObject({}),
    output: lineStatusSchema,
    permission: 'line.view',
  }),
  'line.start': defineCall({
    summary: "Start provisioning on the recipe's ports",
    input: startLineInput,
    output: lineStatusSchema,
    permission: 'line.run',
  }),
  'line.stop': defineCall({
    summary: 'Stop taking new devices; devices in flight finish their step safely',
    input: z.strictObject({}),
    output: lineStatusSchema,
    permission: 'line.run',
  }),
  'line.scan': defineCall({
    summary: 'Attach a scanned label to the device on a port',
    input: scanInput,
    output: lineStatusSchema,
    permission: 'line.run',
  }),
  'line.runs': defineCall({
    summary: 'Line runs (lots), newest first, with their counts',
    input: z.strictObject({}),
    output: z.array(lineRunSchema),
    permission: 'line.view',
  }),
  'qa.inspect': defineCall({
    summary: 'Read back a device on a port (or look up a record) and check chain, record, possession and policy',
    input: qaInspectInput,
    output: qaInspectionSchema,
    permission: 'qa.verify',
  }),
  'qa.recordVerdict': defineCall({
    summary: "File a QA verdict for an inspection, with the technician's name",
    input: recordVerdictInput,
    output: qaVerdictSchema,
    permission: 'qa.verify',
  }),
  'qa.report': defineCall({
    summary: "A lot's QA report as CSV or PDF",
    input: qaReportInput,
    output: qaReportSchema,
    permission: 'qa.verify',
  }),
  'auth.state': defineCall({
    summary: 'Whether the station needs its first administrator, and who is signed in',
    input: z.strictObject({}),
    output: authStateSchema,
    permission: 'public',
  }),
  'auth.setupFirstAdmin': defineCall({
    summary: 'Create the first Solution administrator (only while no user exists) and sign them in',
    input: setupFirstAdminInput,
    output: signedInSchema,
    permission: 'public',
  }),
  'auth.signIn': defineCall({
    summary: 'Sign in with username and password, username and PIN, or a badge',
    input: signInInput,
    output: signedInSchema,
    permission: 'public',
  }),
  'auth.signOut': defineCall({
    summary: 'End this session',
    input: z.strictObject({}),
    output: z.object({ signedOut: z.boolean() }),
    permission: 'public',
  }),
  'auth.lock': defineCall({
    summary: 'Lock this session now (as the idle timer would)',
    input: z.strictObject({}),
    output: sessionInfoSchema,
    permission: 'public',
  }),
  'auth.unlock': defineCall({
    summary: 'Unlock this session with its PIN or password',
    input: unlockInput,
    output: sessionInfoSchema,
    permission: 'public',
  }),
  'roles.list': defineCall({
    summary: 'List built-in and custom roles with their permissions',
    input: z.strictObject({}),
    output: z.array(roleSchema),
    permission: 'users.manage',
  }),
  'roles.create': defineCall({
    summary: 'Compose a custom role from permissions',
    input: createRoleInput,
    output: roleSchema,
    permission: 'users.manage',
  }),
  'roles.delete': defineCall({
    summary: 'Delete a custom role no user holds',
    input: roleIdInput,
    output: z.object({ id: z.string() }),
    permission: 'users.manage',
  }),
  'users.list': defineCall({
    summary: 'List people and service users',
    input: z.strictObject({}),
    output: z.array(userSchema),
    permission: 'users.manage',
  }),
  'users.create': defineCall({
    summary: 'Add a person with roles and any of password, PIN and badge',
    input: createUserInput,
    output: userSchema,
    permission: 'users.manage',
  }),
  'users.update': defineCall({
    summary: "Change a user's name, roles, credentials, or disable them",
    input: updateUserInput,
    output: userSchema,
    permission: 'users.manage',
  }),
  'users.clearLockout': defineCall({
    summary: 'Let a locked-out user sign in again',
    input: userIdInput,
    output: userSchema,
    permission: 'users.manage',
  }),
  'users.createService': defineCall({
    summary: 'Add a service user that holds only the permissions given to it',
    input: createServiceUserInput,
    output: userSchema,
    permission: 'users.manage',
  }),
  'tokens.list': defineCall({
    summary: "List your API tokens (and, with users.manage, everyone's)",
    input: z.strictObject({}),
    output: z.array(apiTokenSchema),
    permission: 'tokens.manage',
  }),
  'tokens.create': defineCall({
    summary: 'Create an API token for yourself or a service user; the secret is shown once',
    input: createTokenInput,
    output: createdTokenSchema,
    permission: 'tokens.manage',
  }),
  'tokens.revoke': defineCall({
    summary: 'Revoke an API token',
    input: tokenIdInput,
    output: apiTokenSchema,
    permission: 'tokens.manage',
  }),
  'audit.list': defineCall({
    summary: 'Audit entries, newest first, filtered by actor, action, subject and time',
    input: listAuditInput,
    output: auditPageSchema,
    permission: 'audit.view',
  }),
  'audit.export': defineCall({
    summary: 'The filtered audit entries as CSV (the export itself is audited)',
    input: auditFilterSchema,
    output: auditExportSchema,
    permission: 'audit.view',
  }),
  'audit.verify': defineCall({
    summary: "Walk the audit log's hash chain, optionally against an anchor kept elsewhere",
    input: verifyAuditInput,
    output: auditVerificationSchema,
    permission: 'audit.view',
  }),
  'jobs.template': defineCall({
    summary: "A CSV template for a batch job, with the columns the chosen policy's templates need",
    input: jobTemplateInput,
    output: jobTemplateSchema,
    permission: 'jobs.run',
  }),
  'jobs.create': defineCall({
    summary: 'Check an uploaded CSV or ZIP row by row; nothing is issued until the job is started',
    input: createJobInput,
    output: jobSchema,
    permission: 'jobs.run',
  }),
  'jobs.list': defineCall({
    summary: 'Batch jobs, newest first, with their counts',
    input: z.strictObject({}),
    output: z.array(jobSchema),
    permission: 'jobs.run',
  }),
  'jobs.get': defineCall({
    summary: 'One batch job with its counts and progress',
    input: jobIdInput,
    output: jobSchema,
    permission: 'jobs.run',
  }),
  'jobs.problems': defineCall({
    summary: "A job's invalid and failed rows with their line numbers and reasons",
    input: jobProblemsInput,
    output: z.array(jobRowProblemSchema),
    permission: 'jobs.run',
  }),
  'jobs.start': defineCall({
    summary: 'Run a validated job, or resume an interrupted one where it stopped',
    input: startJobInput,
    output: jobSchema,
    permission: 'jobs.run',
  }),
  'jobs.cancel': defineCall({
    summary: 'Stop a running job; rows not reached are marked cancelled',
    input: jobIdInput,
    output: jobSchema,
    permission: 'jobs.run',
  }),
  'sync.status': defineCall({
    summary: 'How this station stands with the central server: connection, queued records, last sync',
    input: z.strictObject({}),
    output: syncStatusSchema,
    permission: 'devices.view',
  }),
  'sync.now': defineCall({
    summary: 'Push every queued record and pull the configuration now, instead of at the next interval',
    input: z.strictObject({}),
    output: syncStatusSchema,
    permission: 'settings.manage',
  }),
  'sync.enrol': defineCall({
    summary: 'Enrol this station with a central server using a one-time enrolment token',
    input: enrolStationInput,
    output: syncStatusSchema,
    permission: 'settings.manage',
  }),
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallInput<N extends CallName> = z.input<Calls[N]['input']>;
export type CallParsedInput<N extends CallName> = z.output<Calls[N]['input']>;
export type CallOutput<N extends CallName> = z.output<Calls[N]['output']>;

export const callNames = Object.keys(calls) as CallName[];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(calls, name);
}
