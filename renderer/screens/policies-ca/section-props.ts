import type { PolicyField, PolicyForm } from './policy-form';

/** What every part of the policy editor gets: the form, a setter, and the problems to show. */
export interface SectionProps {
  form: PolicyForm;
  set: <K extends PolicyField>(field: K, value: PolicyForm[K]) => void;
  /** The translated problem at `path` (or below it, unless `exact`), once it should be shown. */
  problem: (path: string, exact?: boolean) => string | null;
}
