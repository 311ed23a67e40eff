import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { deviceKeyTypes, recipeKeyGenerations } from '../../../preload/contract';
import { Dialog } from '../../components/Dialog';
import { FormFooter } from '../../components/FormFooter';
import { useErrorText } from '../../components/use-error-text';
import { useGroups } from '../../state/groups-store';
import { useLine } from '../../state/line-store';
import { useNotices } from '../../state/notice-store';
import { usePolicies } from '../../state/policies-store';
import { OperatorAttributesEditor } from './OperatorAttributesEditor';
import {
  emptyRecipeForm,
  type RecipeForm,
  type RecipeFormProblem,
  recipeDrivers,
  toCreateRecipeInput,
  validateRecipeForm,
} from './recipe-form';

/** A new station recipe: what the line provisions, how, and on which ports. */
export function RecipeDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const createRecipe = useLine((s) => s.createRecipe);
  const { groups, load: loadGroups } = useGroups();
  const { policies, load: loadPolicies } = usePolicies();
  const [form, setForm] = useState<RecipeForm>(emptyRecipeForm);
  const [problems, setProblems] = useState<Set<RecipeFormProblem>>(new Set());
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void loadGroups();
    void loadPolicies();
  }, [loadGroups, loadPolicies]);

  const set = <K extends keyof RecipeForm>(key: K, value: RecipeForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const fieldError = (problem: RecipeFormProblem) =>
    problems.has(problem) ? <span className="field-error">{t(`line.recipeDialog.invalid.${problem}`)}</span> : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateRecipeForm(form);
    setProblems(found);
    if (found.size > 0) return;
    setBusy(true);
    const error = await createRecipe(toCreateRecipeInput(form));
    setBusy(false);
    if (error) return setServerError(errorText(error));
    show('success', t('line.recipeDialog.created', { name: form.name.trim() }));
    onClose();
  };

  return (
    <Dialog title={t('line.recipeDialog.title')} open onClose={onClose} testId="recipe-dialog" wide>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>{t('line.recipeDialog.name')}</span>
          <input value={form.name} autoFocus maxLength={128} onChange={(e) => set('name', e.target.value)} />
          {fieldError('name')}
        </label>
        <div className="form-row">
          <label className="field">
            <span>{t('line.recipeDialog.group')}</span>
            <select value={form.groupId} onChange={(e) => set('groupId', e.target.value)}>
              <option value="">{t('line.recipeDialog.noGroup')}</option>
              {groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('line.recipeDialog.policy')}</span>
            <select value={form.policyId} onChange={(e) => set('policyId', e.target.value)}>
              <option value="">{t('line.recipeDialog.choosePolicy')}</option>
              {policies.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            {fieldError('policyId')}
          </label>
        </div>
        <div className="form-row">
          <label className="field">
            <span>{t('line.recipeDialog.keyGeneration')}</span>
            <select
              value={form.keyGeneration}
              onChange={(e) => set('keyGeneration', e.target.value as RecipeForm['keyGeneration'])}
            >
              {recipeKeyGenerations.map((k) => (
                <option key={k} value={k}>
                  {t(`line.recipeDialog.keyGenerations.${k}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('line.recipeDialog.keyType')}</span>
            <select value={form.keyType} onChange={(e) => set('keyType', e.target.value as RecipeForm['keyType'])}>
              {deviceKeyTypes.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="form-row">
          <label className="field">
            <span>{t('line.recipeDialog.driver')}</span>
            <select value={form.driver} onChange={(e) => set('driver', e.target.value as RecipeForm['driver'])}>
              {recipeDrivers.map((d) => (
                <option key={d} value={d}>
                  {t(`line.recipeDialog.drivers.${d}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('line.recipeDialog.baudRate')}</span>
            <input inputMode="numeric" value={form.baudRate} onChange={(e) => set('baudRate', e.target.value)} />
            {fieldError('baudRate')}
          </label>
        </div>
        <label className="field">
          <span>{t('line.recipeDialog.ports')}</span>
          <textarea
            value={form.ports}
            rows={4}
            placeholder={t('line.recipeDialog.portsPlaceholder')}
            onChange={(e) => set('ports', e.target.value)}
          />
          {fieldError('ports')}
        </label>
        <OperatorAttributesEditor
          rows={form.operatorAttributes}
          invalid={problems.has('operatorAttributes')}
          onChange={(rows) => set('operatorAttributes', rows)}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.lockAfterPass}
            onChange={(e) => set('lockAfterPass', e.target.checked)}
          />
          <span>{t('line.recipeDialog.lockAfterPass')}</span>
        </label>
        <FormFooter error={serverError} busy={busy} submitLabel={t('line.recipeDialog.submit')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
