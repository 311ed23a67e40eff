import { type CaKeyAlgorithm, type CaSubjectInput, limits } from '../../../preload/contract';

export interface CaForm {
  name: string;
  commonName: string;
  organization: string;
  country: string;
  algorithm: CaKeyAlgorithm;
  validityDays: string;
}

export type CaFormErrors = Partial<Record<keyof CaForm, { key: string; values?: Record<string, number> }>>;

export function emptyCaForm(validityDays: number): CaForm {
  return {
    name: '',
    commonName: '',
    organization: '',
    country: '',
    algorithm: 'EC-P256',
    validityDays: String(validityDays),
  };
}

/** Quick feedback in the form; the station checks everything again. */
export function validateCaForm(form: CaForm): CaFormErrors {
  const errors: CaFormErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = { key: 'validation.required' };
  else if (name.length > limits.nameMax) errors.name = { key: 'validation.tooLong', values: { max: limits.nameMax } };
  const cn = form.commonName.trim();
  if (!cn) errors.commonName = { key: 'validation.required' };
  else if (cn.length > 64) errors.commonName = { key: 'validation.tooLong', values: { max: 64 } };
  if (form.organization.trim().length > 64) errors.organization = { key: 'validation.tooLong', values: { max: 64 } };
  if (form.country.trim() && !/^[A-Z]{2}$/.test(form.country.trim()))
    errors.country = { key: 'cas.validation.country' };
  const days = Number(form.validityDays.trim());
  if (!/^\d+$/.test(form.validityDays.trim()) || days < 1 || days > 36500) {
    errors.validityDays = { key: 'cas.validation.days' };
  }
  return errors;
}

export function caSubjectOf(form: CaForm): CaSubjectInput {
  const organization = form.organization.trim();
  const country = form.country.trim();
  return {
    commonName: form.commonName.trim(),
    ...(organization ? { organization } : {}),
    ...(country ? { country } : {}),
  };
}

/** A pasted certificate must at least look like PEM before it is sent. */
export function looksLikeCertificatePem(text: string): boolean {
  return /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(text);
}
