import { useTranslation } from 'react-i18next';

/** Station timestamps (ISO text) in the reader's language; absent ones read "Never". */
export function useTimestampText(): (iso: string | null) => string {
  const { t, i18n } = useTranslation();
  const format = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' });
  return (iso) => (iso ? format.format(new Date(iso)) : t('common.never'));
}
