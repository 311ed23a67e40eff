import type { jobsEn } from './jobs.en';

type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

/** Deutsch for the Jobs screen; the compiler refuses a missing key. */
export const jobsDe: Strings<typeof jobsEn> = {
  title: 'Stapelaufträge',
};
