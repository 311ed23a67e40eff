import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LineStatus, Recipe } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { useCan } from '../../state/auth-store';
import { useLine } from '../../state/line-store';
import { useNotices } from '../../state/notice-store';
import { primeAudio } from './fail-cue';

interface LineControlsProps {
  status: LineStatus | null;
  recipes: Recipe[];
  onNewRecipe: () => void;
}

/** Recipe, lot, Start and Stop: the only choices an operator makes at the start of a shift. */
export function LineControls({ status, recipes, onNewRecipe }: LineControlsProps) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { start, stop } = useLine();
  const [picked, setPicked] = useState<string>('');
  const [lot, setLot] = useState('');
  const [busy, setBusy] = useState(false);
  // Someone who may only watch the line sees it run, without buttons the station would refuse.
  const canRun = useCan('line.run');
  const canEditRecipes = useCan('recipes.manage');
  const running = status?.running ?? false;
  // While running, the picker shows what runs; otherwise the operator's pick, else the last one used.
  const recipeId = running ? (status?.recipeId ?? '') : picked || status?.recipeId || recipes[0]?.id || '';
  const recipe = recipes.find((r) => r.id === recipeId);

  const onStart = async () => {
    if (!recipe) return;
    primeAudio();
    setBusy(true);
    const error = await start(recipe.id, lot);
    setBusy(false);
    if (error) show('error', errorText(error));
    else show('success', t('line.started', { recipe: recipe.name }));
  };
  const onStop = async () => {
    setBusy(true);
    const error = await stop();
    setBusy(false);
    if (error) show('error', errorText(error));
    else show('success', t('line.stoppedNotice'));
  };

  return (
    <div className="line-controls">
      <label className="field">
        <span>{t('line.recipe')}</span>
        <select
          value={recipeId}
          disabled={running}
          data-testid="recipe-select"
          onChange={(e) => setPicked(e.target.value)}
        >
          {recipes.length === 0 ? <option value="">{t('line.noRecipes')}</option> : null}
          {recipes.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>{t('line.lot')}</span>
        <input
          value={running ? (status?.lot ?? '') : lot}
          disabled={running}
          placeholder={t('line.lotPlaceholder')}
          maxLength={128}
          onChange={(e) => setLot(e.target.value)}
        />
      </label>
      {canRun && running ? (
        <button type="button" className="danger big" disabled={busy} onClick={() => void onStop()}>
          {t('line.stop')}
        </button>
      ) : null}
      {canRun && !running ? (
        <button type="button" className="primary big" disabled={busy || !recipe} onClick={() => void onStart()}>
          {t('line.start')}
        </button>
      ) : null}
      {canEditRecipes ? (
        <button type="button" disabled={running} onClick={onNewRecipe}>
          {t('line.newRecipe')}
        </button>
      ) : null}
    </div>
  );
}
