import { useTranslation } from 'react-i18next';
import type { SignInMethod } from './SignInScreen';

const methods: { method: SignInMethod; label: string }[] = [
  { method: 'password', label: 'auth.signIn.methodPassword' },
  { method: 'pin', label: 'auth.signIn.methodPin' },
  { method: 'badge', label: 'auth.signIn.methodBadge' },
];

/** Three toggle buttons rather than a select: one press at a shared station, big enough for gloves. */
export function SignInMethodPicker({ method, onPick }: { method: SignInMethod; onPick: (m: SignInMethod) => void }) {
  const { t } = useTranslation();
  return (
    <div className="signin-methods" role="group" aria-label={t('auth.signIn.method')}>
      {methods.map((m) => (
        <button
          key={m.method}
          type="button"
          aria-pressed={m.method === method}
          className={m.method === method ? 'primary' : ''}
          data-testid={`signin-method-${m.method}`}
          onClick={() => onPick(m.method)}
        >
          {t(m.label)}
        </button>
      ))}
    </div>
  );
}
