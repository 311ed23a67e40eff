/** A passcode typed for this job only: never remembered by the browser, with what it is for below. */
export function PasscodeField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  help: string;
  testId: string;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="password"
        autoComplete="new-password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
      <span className="help">{props.help}</span>
    </label>
  );
}
