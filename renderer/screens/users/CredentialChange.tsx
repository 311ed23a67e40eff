import { useTranslation } from 'react-i18next';
import { TextField } from './TextField';
import type { CredentialAction } from './user-form';

interface CredentialChangeProps {
  label: string;
  newLabel: string;
  name: string;
  /** Whether the user has this credential now; "remove" is offered only then. */
  isSet: boolean;
  action: CredentialAction;
  value: string;
  help: string;
  numeric?: boolean;
  error: string | null;
  onAction: (action: CredentialAction) => void;
  onValue: (value: string) => void;
}

/** Keep, replace or remove a PIN or badge; the new value is asked for only when replacing. */
export function CredentialChange({
  label,
  newLabel,
  name,
  isSet,
  action,
  value,
  help,
  numeric = false,
  error,
  onAction,
  onValue,
}: CredentialChangeProps) {
  const { t } = useTranslation();
  return (
    <div className="form-row">
      <label className="field">
        <span>{label}</span>
        <select name={`${name}-action`} value={action} onChange={(e) => onAction(e.target.value as CredentialAction)}>
          <option value="keep">{isSet ? t('users.editUser.keep') : t('users.editUser.keepNone')}</option>
          <option value="replace">{t('users.editUser.replace')}</option>
          {isSet ? <option value="remove">{t('users.editUser.remove')}</option> : null}
        </select>
      </label>
      {action === 'replace' ? (
        <TextField
          label={newLabel}
          name={name}
          type={numeric ? 'password' : 'text'}
          inputMode={numeric ? 'numeric' : 'text'}
          autoComplete="new-password"
          value={value}
          onChange={onValue}
          help={help}
          error={error}
        />
      ) : null}
    </div>
  );
}
