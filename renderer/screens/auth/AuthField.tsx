import type { InputHTMLAttributes, Ref } from 'react';

interface AuthFieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  testId: string;
  /** Shown under the field and announced; null when the value is fine. */
  error?: string | null;
  hint?: string;
  inputRef?: Ref<HTMLInputElement>;
}

/** One labelled input of the sign-in, first-run and lock forms, with its hint or its problem. */
export function AuthField({ label, testId, error = null, hint, inputRef, ...input }: AuthFieldProps) {
  const messageId = `${testId}-message`;
  return (
    <label className="field">
      <span>{label}</span>
      <input
        ref={inputRef}
        data-testid={testId}
        aria-invalid={error !== null}
        aria-describedby={messageId}
        spellCheck={false}
        {...input}
      />
      <span id={messageId} className={error ? 'field-error' : 'help'}>
        {error ?? hint}
      </span>
    </label>
  );
}
