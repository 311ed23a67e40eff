interface CheckboxListProps<T extends string> {
  legend: string;
  name: string;
  options: readonly T[];
  selected: readonly T[];
  labelOf: (option: T) => string;
  onChange: (selected: T[]) => void;
  error?: string | null;
  testId?: string;
}

/** Checkboxes for a set of values; the result keeps the options' order so diffs stay stable. */
export function CheckboxList<T extends string>({
  legend,
  name,
  options,
  selected,
  labelOf,
  onChange,
  error = null,
  testId,
}: CheckboxListProps<T>) {
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
