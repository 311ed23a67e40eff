/** The station's answer when it refused the form, in the person's language. */
export function AuthRefusal({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="form-error" role="alert" data-testid="auth-error">
      {text}
    </p>
  );
}
