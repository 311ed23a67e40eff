import { useTranslation } from 'react-i18next';
import type { StationErrorShape } from '../../preload/contract';

/** Turns a station error into the operator's language; the code picks the message. */
export function useErrorText(): (error: StationErrorShape) => string {
  const { t, i18n } = useTranslation();
  return (error) => {
    const key = `errors.${error.code}`;
    if (!i18n.exists(key)) return error.message;
    const details = (error.issues ?? []).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return t(key, { ...error.params, details: details || error.message });
  };
}
