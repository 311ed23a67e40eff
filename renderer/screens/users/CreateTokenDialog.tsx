import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CallInput, type CallOutput, userLimits } from '../../../preload/contract';
import { client } from '../../api/client';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useUsers } from '../../state/users-store';
import { checkName, hasProblems, onlyProblems, type Problem, type Problems, useProblemText } from './form-checks';
import { TextField } from './TextField';

type Field = 'name' | 'expiresInDays';
type CreatedToken = CallOutput<'tokens.create'>;

interface CreateTokenDialogProps {
  /** With users.manage the token may act as a service user instead of its creator. */
  forServiceUsers: boolean;
  onClose: () => void;
  onCreated: (created: CreatedToken) => void;
}

function checkDays(value: string): Problem | undefined {
  if (value.trim() === '') return undefined;
  const days = Number(value);
  return Number.isInteger(days) && days >= 1 && days <= userLimits.tokenDaysMax ? undefined : 'days';
}

function OwnerSelect({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const users = useUsers((s) => s.users);
  const serviceUsers = users.filter((u) => u.kind === 'service' && !u.disabled);
  return (
    <label className="field">
      <span>{t('users.tokens.owner')}</span>
      <select name="owner" value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('users.tokens.ownerSelf')}</option>
        {serviceUsers.map((u) => (
          <option key={u.id} value={u.id}>
            {u.displayName} ({u.username})
          </option>
        ))}
      </select>
    </label>
  );
}

/** A named, optionally expiring API token, for the signed-in user or a service user. */
export function CreateTokenDialog({ forServiceUsers, onClose, onCreated }: CreateTokenDialogProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const problemText = useProblemText();
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [serviceUserId, setServiceUserId] = useState('');
  const [problems, setProblems] = useState<Problems<Field>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = onlyProblems<Field>({ name: checkName(name), expiresInDays: checkDays(days) });
    setProblems(found);
    if (hasProblems(found)) return;
    const input: CallInput<'tokens.create'> = {
      name: name.trim(),
      ...(days.trim() ? { expiresInDays: Number(days) } : {}),
      ...(serviceUserId ? { serviceUserId } : {}),
    };
    setBusy(true);
    const result = await client().call('tokens.create', input);
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    onCreated(result.value);
  };

  return (
    <Dialog title={t('users.tokens.createTitle')} open onClose={onClose} testId="create-token-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          label={t('users.tokens.name')}
          name="name"
          value={name}
          onChange={setName}
          help={t('users.tokens.nameHelp')}
          error={problemText(problems.name)}
          autoFocus
        />
        <TextField
          label={t('users.tokens.expiresInDays')}
          name="expiresInDays"
          inputMode="numeric"
          value={days}
          onChange={setDays}
          help={t('users.tokens.expiresInDaysHelp')}
          error={problemText(problems.expiresInDays)}
        />
        {forServiceUsers ? <OwnerSelect value={serviceUserId} onChange={setServiceUserId} /> : null}
        <FormFooter error={serverError} busy={busy} submitLabel={t('users.tokens.create')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
