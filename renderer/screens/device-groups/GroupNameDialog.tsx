import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { limits, type StationErrorShape } from '../../../preload/contract';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';

interface GroupNameDialogProps {
  title: string;
  initialName: string;
  withDescription: boolean;
  submitLabel: string;
  onSubmit: (values: { name: string; description: string }) => Promise<StationErrorShape | null>;
  onClose: () => void;
}

/** Create and rename share one form: a name (required, bounded) and, for create, a description. */
export function GroupNameDialog({
  title,
  initialName,
  withDescription,
  submitLabel,
  onSubmit,
  onClose,
}: GroupNameDialogProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [name, setName] = useState(initialName);
  const [description, setDescription] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setNameError(t('validation.required'));
    if (trimmed.length > limits.nameMax) return setNameError(t('validation.tooLong', { max: limits.nameMax }));
    setNameError(null);
    setBusy(true);
    const error = await onSubmit({ name: trimmed, description: description.trim() });
    setBusy(false);
    if (error) setServerError(errorText(error));
  };

  return (
    <Dialog title={title} open onClose={onClose} testId="group-dialog">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>{t('groups.name')}</span>
          <input
            name="name"
            value={name}
            autoFocus
            maxLength={limits.nameMax + 1}
            aria-invalid={nameError !== null}
            aria-describedby="group-name-error"
            onChange={(e) => setName(e.target.value)}
          />
          <span id="group-name-error" className="field-error">
            {nameError}
          </span>
        </label>
        {withDescription ? (
          <label className="field">
            <span>{t('groups.description')}</span>
            <textarea
              name="description"
              value={description}
              maxLength={limits.descriptionMax}
              onChange={(e) => setDescription(e.target.value)}
            />
          </label>
        ) : null}
        <FormFooter error={serverError} busy={busy} submitLabel={submitLabel} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
