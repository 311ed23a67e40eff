import type { CreateRecipeInput, RecipeKeyGeneration } from '../../../preload/contract';

export const recipeDrivers = ['trustline', 'nrf91-at'] as const;
export type RecipeDriver = (typeof recipeDrivers)[number];

export interface OperatorAttributeRow {
  key: string;
  label: string;
  pattern: string;
}

export interface RecipeForm {
  name: string;
  groupId: string;
  policyId: string;
  keyGeneration: RecipeKeyGeneration;
  keyType: 'EC-P256' | 'EC-P384' | 'Ed25519';
  driver: RecipeDriver;
  baudRate: string;
  ports: string;
  operatorAttributes: OperatorAttributeRow[];
  lockAfterPass: boolean;
}

export const emptyRecipeForm: RecipeForm = {
  name: '',
  groupId: '',
  policyId: '',
  keyGeneration: 'device-csr',
  keyType: 'EC-P256',
  driver: 'trustline',
  baudRate: '115200',
  ports: '',
  operatorAttributes: [],
  lockAfterPass: true,
};

export type RecipeFormProblem = 'name' | 'policyId' | 'baudRate' | 'ports' | 'operatorAttributes';

/** Ports are typed one per line; blank lines and stray spaces are not ports. */
export function parsePorts(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * The checks an operator can fix without asking the station; the station checks everything again
 * (valid patterns, known group and policy) and its refusal is shown under the form.
 */
export function validateRecipeForm(form: RecipeForm): Set<RecipeFormProblem> {
  const problems = new Set<RecipeFormProblem>();
  if (!form.name.trim()) problems.add('name');
  if (!form.policyId) problems.add('policyId');
  const baud = Number(form.baudRate);
  if (!Number.isInteger(baud) || baud < 300 || baud > 4_000_000) problems.add('baudRate');
  const ports = parsePorts(form.ports);
  if (ports.length === 0 || ports.length > 32 || new Set(ports).size !== ports.length) problems.add('ports');
  if (form.operatorAttributes.some((a) => !a.key.trim() || !a.label.trim())) problems.add('operatorAttributes');
  return problems;
}

export function toCreateRecipeInput(form: RecipeForm): CreateRecipeInput {
  return {
    name: form.name.trim(),
    groupId: form.groupId || null,
    policyId: form.policyId,
    keyGeneration: form.keyGeneration,
    keyType: form.keyType,
    driver: form.driver,
    baudRate: Number(form.baudRate),
    ports: parsePorts(form.ports),
    operatorAttributes: form.operatorAttributes.map((a) => ({
      key: a.key.trim(),
      label: a.label.trim(),
      ...(a.pattern.trim() ? { pattern: a.pattern.trim() } : {}),
    })),
    lockAfterPass: form.lockAfterPass,
  };
}
