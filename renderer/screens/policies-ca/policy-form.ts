import {
  extendedKeyUsageNames,
  type KeyGenerationType,
  type KeyUsage,
  type PolicyBody,
  policyBodySchema,
  type PolicyKeyType,
  type SubjectAttributeType,
} from '../../../preload/contract';

export type ExtendedKeyUsageName = (typeof extendedKeyUsageNames)[number];
export type SanType = 'dns' | 'uri' | 'email' | 'ip' | 'hardwareModuleName';

export interface SubjectRow {
  type: SubjectAttributeType;
  value: string;
  pattern: string;
}

export interface SanRow {
  type: SanType;
  /** For dns, uri, email and ip. */
  value: string;
  /** For hardwareModuleName. */
  hwType: string;
  serial: string;
}

/**
 * What the editor holds: the policy body with every number and list kept as typed, so a field
 * can be half-written. The keys are the body's own keys, so a problem the contract reports at
 * "subject.1.value" belongs to the `subject` field.
 */
export interface PolicyForm {
  name: string;
  description: string;
  usage: PolicyBody['usage'];
  issuingCaId: string;
  allowedKeyTypes: PolicyKeyType[];
  rsaMinimumBits: string;
  keyGeneration: KeyGenerationType[];
  signatureHash: PolicyBody['signatureHash'];
  validity: { kind: 'days' | 'fixed'; days: string; notAfter: string };
  subject: SubjectRow[];
  csrSubject: PolicyBody['csrSubject'];
  subjectAltNames: SanRow[];
  keyUsage: KeyUsage[];
  keyUsageCritical: boolean;
  extendedKeyUsage: { named: ExtendedKeyUsageName[]; oids: string };
  basicConstraintsCritical: boolean;
  crlDistributionPoint: string;
  authorityInfoAccess: { caIssuers: string; ocsp: string };
  /** Dotted OIDs separated by commas, blanks or new lines. */
  certificatePolicies: string;
  profile: PolicyBody['profile'];
}

export type PolicyField = keyof PolicyForm;

/** IEEE 802.1AR's "no well-defined expiration". */
export const neverExpires = '99991231235959Z';

/** Every field of a policy but its name and issuing CA: what a preset carries. */
export type PresetBody = Omit<PolicyBody, 'name' | 'issuingCaId'>;

const namedEkus: readonly string[] = extendedKeyUsageNames;

export function emptySanRow(type: SanType = 'dns'): SanRow {
  return { type, value: '', hwType: '', serial: '' };
}

export function formFromBody(body: PresetBody & Partial<PolicyBody>): PolicyForm {
  return {
    name: body.name ?? '',
    description: body.description,
    usage: body.usage,
    issuingCaId: body.issuingCaId ?? '',
    allowedKeyTypes: [...body.allowedKeyTypes],
    rsaMinimumBits: String(body.rsaMinimumBits),
    keyGeneration: [...body.keyGeneration],
    signatureHash: body.signatureHash,
    validity:
      body.validity.kind === 'days'
        ? { kind: 'days', days: String(body.validity.days), notAfter: '' }
        : { kind: 'fixed', days: '365', notAfter: body.validity.notAfter },
    subject: body.subject.map((f) => ({ type: f.type, value: f.value, pattern: f.pattern ?? '' })),
    csrSubject: body.csrSubject,
    subjectAltNames: body.subjectAltNames.map((san) =>
      san.type === 'hardwareModuleName'
        ? { ...emptySanRow('hardwareModuleName'), hwType: san.hwType, serial: san.serial }
        : { ...emptySanRow(san.type), value: san.value },
    ),
    keyUsage: [...body.keyUsage],
    keyUsageCritical: body.keyUsageCritical,
    extendedKeyUsage: {
      named: body.extendedKeyUsage.filter((e): e is ExtendedKeyUsageName => namedEkus.includes(e)),
      oids: body.extendedKeyUsage.filter((e) => !namedEkus.includes(e)).join(', '),
    },
    basicConstraintsCritical: body.basicConstraintsCritical,
    crlDistributionPoint: body.crlDistributionPoint ?? '',
    authorityInfoAccess: {
      caIssuers: body.authorityInfoAccess?.caIssuers ?? '',
      ocsp: body.authorityInfoAccess?.ocsp ?? '',
    },
    certificatePolicies: body.certificatePolicies.join(', '),
    profile: body.profile,
  };
}

/** The form filled from a preset's body, keeping the name and issuing CA the operator already set. */
export function formFromPreset(body: PresetBody, form: Pick<PolicyForm, 'name' | 'issuingCaId'>): PolicyForm {
  return { ...formFromBody(body), name: form.name, issuingCaId: form.issuingCaId };
}

/** A form with nothing chosen, for a new policy when the station offers no preset to start from. */
export function blankPolicyForm(): PolicyForm {
  return {
    name: '',
    description: '',
    usage: 'operational',
    issuingCaId: '',
    allowedKeyTypes: [],
    rsaMinimumBits: '2048',
    keyGeneration: [],
    signatureHash: 'SHA-256',
    validity: { kind: 'days', days: '', notAfter: '' },
    subject: [],
    csrSubject: 'ignore',
    subjectAltNames: [],
    keyUsage: [],
    keyUsageCritical: true,
    extendedKeyUsage: { named: [], oids: '' },
    basicConstraintsCritical: true,
    crlDistributionPoint: '',
    authorityInfoAccess: { caIssuers: '', ocsp: '' },
    certificatePolicies: '',
    profile: 'generic',
  };
}

function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A number as typed; anything that is not a whole number becomes NaN and fails the check. */
function wholeNumber(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
}

/** The body the form describes, unchecked: `checkBody` says whether the station would take it. */
export function bodyFromForm(form: PolicyForm): PolicyBody {
  const crl = form.crlDistributionPoint.trim();
  const caIssuers = form.authorityInfoAccess.caIssuers.trim();
  const ocsp = form.authorityInfoAccess.ocsp.trim();
  return {
    name: form.name.trim(),
    description: form.description.trim(),
    usage: form.usage,
    issuingCaId: form.issuingCaId,
    allowedKeyTypes: form.allowedKeyTypes,
    rsaMinimumBits: wholeNumber(form.rsaMinimumBits),
    keyGeneration: form.keyGeneration,
    signatureHash: form.signatureHash,
    validity:
      form.validity.kind === 'days'
        ? { kind: 'days', days: wholeNumber(form.validity.days) }
        : { kind: 'fixed', notAfter: form.validity.notAfter.trim() },
    subject: form.subject.map((row) => ({
      type: row.type,
      value: row.value,
      ...(row.pattern ? { pattern: row.pattern } : {}),
    })),
    csrSubject: form.csrSubject,
    subjectAltNames: form.subjectAltNames.map((row) =>
      row.type === 'hardwareModuleName'
        ? { type: row.type, hwType: row.hwType.trim(), serial: row.serial }
        : { type: row.type, value: row.value },
    ),
    keyUsage: form.keyUsage,
    keyUsageCritical: form.keyUsageCritical,
    extendedKeyUsage: [
      ...namedEkus.filter((e) => form.extendedKeyUsage.named.includes(e as ExtendedKeyUsageName)),
      ...splitList(form.extendedKeyUsage.oids),
    ],
    basicConstraintsCritical: form.basicConstraintsCritical,
    ...(crl ? { crlDistributionPoint: crl } : {}),
    ...(caIssuers || ocsp
      ? { authorityInfoAccess: { ...(caIssuers ? { caIssuers } : {}), ...(ocsp ? { ocsp } : {}) } }
      : {}),
    certificatePolicies: splitList(form.certificatePolicies),
    profile: form.profile,
  };
}

/** Dotted paths of the fields the station would refuse ("subject.1.value"), each with its top-level field. */
export type BodyProblems = Record<string, PolicyField>;

/** The contract's own check, plus the one it cannot make: that a pattern is a regular expression. */
export function checkBody(body: PolicyBody): BodyProblems {
  const problems: BodyProblems = {};
  const parsed = policyBodySchema.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      const top = String(issue.path[0] ?? 'name') as PolicyField;
      problems[path || top] = top;
    }
  }
  body.subject.forEach((field, index) => {
    if (field.pattern === undefined) return;
    try {
      new RegExp(field.pattern);
    } catch {
      problems[`subject.${index}.pattern`] = 'subject';
    }
  });
  return problems;
}

/** True when any problem sits at `path` or below it. */
export function hasProblem(problems: BodyProblems, path: string): boolean {
  return Object.keys(problems).some((p) => p === path || p.startsWith(`${path}.`));
}

export interface SampleRow {
  key: string;
  value: string;
}

const attributeKeyPattern = /^[A-Za-z0-9_.-]+$/;

/** Sample rows as attributes; null while a row has a bad or repeated key. Blank rows are skipped. */
export function sampleAttributes(rows: SampleRow[]): Record<string, string> | null {
  const attributes: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (!key && !row.value.trim()) continue;
    if (!attributeKeyPattern.test(key) || Object.prototype.hasOwnProperty.call(attributes, key)) return null;
    attributes[key] = row.value.trim();
  }
  return attributes;
}
