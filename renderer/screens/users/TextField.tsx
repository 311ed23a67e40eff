import { type HTMLInputTypeAttribute, useId } from 'react';

interface TextFieldProps {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  help?: string;
  type?: HTMLInputTypeAttribute;
  inputMode?: 'text' | 'numeric';
  autoComplete?: string;
  autoFocus?: boolean;
}

/** A labelled input with its help line and, when the form refused it, the reason. */
export function TextField({
  label,
  name,
  value,
  onChange,
  error = null,
  help,
  type = 'text',
  inputMode,
  autoComplete = 'off',
  autoFocus = false,
}: TextFieldProps) {
  const id = useId();
  return (
    // The input is named by its label alone; help and error are its description, not its name.
    <label className="field">
      <span id={`${id}-label`}>{label}</span>
      <input
        name={name}
        type={type}
        value={value}
        inputMode={inputMode}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        aria-labelledby={`${id}-label`}
        aria-invalid={error !== null}
        aria-describedby={`${id}-help ${id}-error`}
        onChange={(e) => onChange(e.target.value)}
      />
      {help ? (
        <span id={`${id}-help`} className="help">
          {help}
        </span>
      ) : null}
      <span id={`${id}-error`} className="field-error">
        {error}
      </span>
    </label>
  );
}
