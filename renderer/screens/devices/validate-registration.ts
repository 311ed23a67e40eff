import { limits } from '../../../preload/contract';

export interface AttributeRow {
  key: string;
  value: string;
}

export interface RegistrationForm {
  name: string;
  description: string;
  groupId: string;
  attributes: AttributeRow[];
}

/** i18n keys with their values, per field; the station checks again, this is for quick feedback. */
export type FieldErrors = Partial<Record<string, { key: string; values?: Record<string, number> }>>;

const attributeKeyPattern = /^[A-Za-z0-9_.-]+$/;

export function validateRegistration(form: RegistrationForm): FieldErrors {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = { key: 'validation.required' };
  else if (name.length > limits.nameMax) errors.name = { key: 'validation.tooLong', values: { max: limits.nameMax } };
  if (form.description.trim().length > limits.descriptionMax) {
    errors.description = { key: 'validation.tooLong', values: { max: limits.descriptionMax } };
  }
  if (!form.groupId) errors.groupId = { key: 'validation.required' };
  const filled = form.attributes.filter((row) => row.key.trim() || row.value);
  if (filled.length > limits.attributesMax) {
    errors.attributes = { key: 'validation.tooManyAttributes', values: { max: limits.attributesMax } };
  }
  const seen = new Set<string>();
  form.attributes.forEach((row, index) => {
    const key = row.key.trim();
    if (!key && !row.value) return;
    if (!key) errors[`attr.${index}.key`] = { key: 'validation.required' };
    else if (key.length > limits.attributeKeyMax) {
      errors[`attr.${index}.key`] = { key: 'validation.tooLong', values: { max: limits.attributeKeyMax } };
    } else if (!attributeKeyPattern.test(key)) errors[`attr.${index}.key`] = { key: 'validation.attributeKey' };
    else if (seen.has(key)) errors[`attr.${index}.key`] = { key: 'validation.duplicateKey' };
    seen.add(key);
    if (row.value.length > limits.attributeValueMax) {
      errors[`attr.${index}.value`] = { key: 'validation.tooLong', values: { max: limits.attributeValueMax } };
    }
  });
  return errors;
}

export function attributesOf(rows: AttributeRow[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const row of rows) if (row.key.trim()) attributes[row.key.trim()] = row.value;
  return attributes;
}
