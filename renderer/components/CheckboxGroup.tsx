interface CheckboxGroupProps<T extends string> {
  legend: string;
  options: readonly T[];
  selected: readonly T[];
  /** How each option is shown; technical names (e.g. "digitalSignature") may be shown as they are. */
  labelOf?: (option: T) => string;
  onChange: (selected: T[]) => void;
  /** Shown under the options, and marks the group invalid. */
  error?: string | null;
  name: string;
  testId?: string;
}

/** A set of checkboxes for a list field; the result keeps the options' own order. */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  selected,
  labelOf = (o) => o,
  onChange,
  error = null,
  name,
  testId,
}: CheckboxGroupProps<T>) {
  const toggle = (option: T, on: boolean) =>
    onChange(options.filter((o) => (o === option ? on : selected.includes(o))));
  return (
    <fieldset className="checkbox-group" aria-invalid={error !== null} data-testid={testId}>
      <legend>{legend}</legend>
      <div className="checkbox-options">
        {options.map((option) => (
          <label key={option} className="checkbox">
            <input
              type="checkbox"
              name={name}
              value={option}
              checked={selected.includes(option)}
              onChange={(e) => toggle(option, e.target.checked)}
            />
            <span>{labelOf(option)}</span>
          </label>
        ))}
      </div>
      {error ? <span className="field-error">{error}</span> : null}
    </fieldset>
  );
}
