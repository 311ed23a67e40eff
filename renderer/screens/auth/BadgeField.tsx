import { type Dispatch, type SetStateAction, useCallback, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { userLimits } from '../../../preload/contract';
import { useKeystrokeCapture } from '../../components/use-keystroke-capture';
import { AuthField } from './AuthField';

/**
 * The badge reader types the badge's code and Enter, like the line's scanner: keystrokes that
 * land on no field are caught here, and Enter submits the sign-in form.
 */
export function BadgeField({ value, onChange }: { value: string; onChange: Dispatch<SetStateAction<string>> }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLInputElement>(null);
  useKeystrokeCapture(
    ref,
    useCallback((key: string) => onChange((before) => before + key), [onChange]),
  );
  return (
    <AuthField
      inputRef={ref}
      label={t('auth.field.badge')}
      testId="signin-badge"
      type="password"
      autoComplete="off"
      maxLength={userLimits.badgeMax}
      value={value}
      hint={t('auth.signIn.badgeHint')}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}
