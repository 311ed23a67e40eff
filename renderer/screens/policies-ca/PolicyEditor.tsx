import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Policy, PolicyPreset } from '../../../preload/contract';
import { client } from '../../api/client';
import { useErrorText } from '../../components/use-error-text';
import { usePolicies } from '../../state/policies-store';
import {
  blankPolicyForm,
  bodyFromForm,
  checkBody,
  formFromBody,
  formFromPreset,
  hasProblem,
  type PolicyField,
  type PolicyForm,
} from './policy-form';
import { PolicyExtensionsSection } from './PolicyExtensionsSection';
import { PolicyGeneralSection } from './PolicyGeneralSection';
import { PolicyKeySection } from './PolicyKeySection';
import { PolicyPreviewPanel } from './PolicyPreviewPanel';
import { SanRowsEditor } from './SanRowsEditor';
import type { SectionProps } from './section-props';
import { SubjectRowsEditor } from './SubjectRowsEditor';

export type EditorTarget = { kind: 'new' } | { kind: 'edit'; policy: Policy };

interface PolicyEditorProps {
  target: EditorTarget;
  onClose: () => void;
  onSaved: (policy: Policy, created: boolean) => void;
}

const defaultPreset = 'tls-client';

/** Where a new policy starts: the generic TLS client preset, or else the first the station offers. */
function startingPreset(presets: readonly PolicyPreset[]): PolicyPreset | undefined {
  return presets.find((p) => p.name === defaultPreset) ?? presets[0];
}

/** Fields the operator set that survive choosing another preset. */
const keptFields: ReadonlySet<PolicyField> = new Set<PolicyField>(['name', 'issuingCaId']);

/**
 * The whole policy body in one form, with the live preview beside it. Choosing a preset fills
 * every field from it, so the form, the preview and what gets saved are always the same body.
 */
export function PolicyEditor({ target, onClose, onSaved }: PolicyEditorProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const presets = usePolicies((s) => s.presets);
  const [form, setForm] = useState<PolicyForm>(() => {
    if (target.kind === 'edit') return formFromBody(target.policy);
    const start = startingPreset(presets);
    return start ? formFromBody(start.body) : blankPolicyForm();
  });
  const [touched, setTouched] = useState<ReadonlySet<PolicyField>>(new Set());
  const [preset, setPreset] = useState(() => (target.kind === 'new' ? (startingPreset(presets)?.name ?? '') : ''));
  // A new policy opened before the presets arrived starts from one as soon as they do.
  const [started, setStarted] = useState(target.kind === 'edit' || presets.length > 0);
  if (!started && presets.length > 0) {
    setStarted(true);
    const start = startingPreset(presets);
    if (start) {
      setPreset(start.name);
      setForm((f) => formFromPreset(start.body, f));
    }
  }
  const [attempted, setAttempted] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const body = useMemo(() => bodyFromForm(form), [form]);
  const problems = useMemo(() => checkBody(body), [body]);
  const complete = Object.keys(problems).length === 0;
  const chosenPreset = presets.find((p) => p.name === preset);

  const set: SectionProps['set'] = (field, value) => {
    setForm((f) => ({ ...f, [field]: value }));
    setTouched((s) => new Set(s).add(field));
  };
  const choosePreset = (name: string) => {
    setPreset(name);
    const chosen = presets.find((p) => p.name === name);
    // "No preset" keeps the fields as they are; a preset replaces all but the name and issuing CA.
    if (!chosen) return;
    setForm((f) => formFromPreset(chosen.body, f));
    setTouched((s) => new Set([...s].filter((field) => keptFields.has(field))));
  };
  const problem: SectionProps['problem'] = (path, exact = false) => {
    const top = path.split('.')[0] as PolicyField;
    if (!attempted && !touched.has(top)) return null;
    const found = exact ? problems[path] !== undefined : hasProblem(problems, path);
    return found ? t(`policies.editor.invalid.${top}`) : null;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    setServerError(null);
    if (!complete) return;
    setBusy(true);
    const result =
      target.kind === 'edit'
        ? await client().call('policies.update', { id: target.policy.id, body })
        : await client().call('policies.create', preset ? { preset, body } : { body });
    setBusy(false);
    if (!result.ok) return setServerError(errorText(result.error));
    onSaved(result.value, target.kind === 'new');
  };

  const formError = serverError ?? (attempted && !complete ? t('policies.editor.fixProblems') : null);
  const sections = { form, set, problem };
  return (
    <section className="panel" aria-labelledby="policy-editor-title" data-testid="policy-editor">
      <header className="panel-header">
        <h2 id="policy-editor-title">
          {target.kind === 'edit'
            ? t('policies.editor.editTitle', { name: target.policy.name })
            : t('policies.editor.newTitle')}
        </h2>
      </header>
      <div className="policy-editor">
        <form className="editor-form" onSubmit={(e) => void submit(e)} noValidate>
          {target.kind === 'new' ? (
            <div className="editor-preset">
              <label className="field">
                <span>{t('policies.editor.preset')}</span>
                <select name="preset" value={preset} onChange={(e) => choosePreset(e.target.value)}>
                  <option value="">{t('policies.editor.noPreset')}</option>
                  {presets.map((p) => (
                    <option key={p.name} value={p.name}>
                      {p.title}
                    </option>
                  ))}
                </select>
              </label>
              {chosenPreset ? (
                <>
                  <p className="help">{chosenPreset.summary}</p>
                  <p className="help preset-hint" data-testid="preset-hint">
                    {t('policies.editor.presetHint')}
                  </p>
                </>
              ) : null}
            </div>
          ) : null}
          <PolicyGeneralSection {...sections} />
          <PolicyKeySection {...sections} />
          <SubjectRowsEditor {...sections} />
          <SanRowsEditor {...sections} />
          <PolicyExtensionsSection {...sections} />
          {formError ? (
            <p className="form-error" role="alert">
              {formError}
            </p>
          ) : null}
          <div className="dialog-actions editor-actions">
            <button type="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {target.kind === 'edit' ? t('policies.editor.save') : t('policies.editor.create')}
            </button>
          </div>
        </form>
        <PolicyPreviewPanel body={complete ? body : null} />
      </div>
    </section>
  );
}
