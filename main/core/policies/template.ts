import type { DecodedNameAttribute } from '../pki/name';

/** What a template's placeholders can draw on. */
export interface TemplateSource {
  attributes: Readonly<Record<string, string>>;
  device?: { id: string; name: string };
  /** The CSR's subject, for `{csr.CN}`-style placeholders. */
  csrSubject?: readonly DecodedNameAttribute[];
}

const placeholder = /\{([a-z]+)\.([A-Za-z0-9_.-]+)\}/g;

function lookup(source: TemplateSource, scope: string, key: string): string | undefined {
  if (scope === 'attr')
    return Object.prototype.hasOwnProperty.call(source.attributes, key) ? source.attributes[key] : undefined;
  if (scope === 'device') return key === 'id' ? source.device?.id : key === 'name' ? source.device?.name : undefined;
  if (scope === 'csr') return source.csrSubject?.find((a) => a.name === key)?.value;
  return undefined;
}

/**
 * Fills `{attr.serial}`, `{device.name}`, `{csr.CN}` … from the source. Returns the names of the
 * placeholders that had no value instead of guessing: a certificate with an empty CN is worse
 * than a refusal.
 */
export function renderTemplate(template: string, source: TemplateSource): { value: string; missing: string[] } {
  const missing: string[] = [];
  const value = template.replace(placeholder, (whole, scope: string, key: string) => {
    const found = lookup(source, scope, key);
    if (found === undefined || found === '') {
      missing.push(whole.slice(1, -1));
      return '';
    }
    return found;
  });
  return { value, missing };
}
