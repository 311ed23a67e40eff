/**
 * A certificate time for people: ISO strings and GeneralizedTime (20301231235959Z) both work,
 * always shown in UTC as certificates state them. Anything unreadable is shown as it came.
 */
export function formatCertificateTime(value: string, language: string): string {
  const g = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const date = new Date(g ? `${g[1]}-${g[2]}-${g[3]}T${g[4]}:${g[5]}:${g[6]}Z` : value);
  if (Number.isNaN(date.getTime())) return value;
  const text = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(
    date,
  );
  return `${text} UTC`;
}
