import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { client } from '../../api/client';
import { useErrorText } from '../../components/use-error-text';
import { useCan } from '../../state/auth-store';
import { useLine } from '../../state/line-store';
import { useNotices } from '../../state/notice-store';
import { useFailCue } from './fail-cue';
import { LineControls } from './LineControls';
import { PortTileCard } from './PortTileCard';
import { RecipeDialog } from './RecipeDialog';
import { ScannerInput } from './ScannerInput';
import { ShiftCounters } from './ShiftCounters';
import { ThroughputChart } from './ThroughputChart';
import { isInFlight } from './tile-display';
import { useNow } from './use-now';

/** Loads the line once and then follows the station's pushes: the tiles must never need a reload. */
function useLiveLine(): void {
  const { loadStatus, loadRecipes, apply } = useLine();
  useEffect(() => {
    const offLine = client().on('line.changed', apply);
    const offRecipes = client().on('recipes.changed', () => void loadRecipes());
    void loadStatus();
    void loadRecipes();
    return () => {
      offLine();
      offRecipes();
    };
  }, [loadStatus, loadRecipes, apply]);
}

export function LineScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const show = useNotices((s) => s.show);
  const { status, recipes, error, selectedPort, select, scan } = useLine();
  const [creating, setCreating] = useState(false);
  // Scanning feeds the running line (line.run); someone who only watches gets no scanner field.
  const canRun = useCan('line.run');
  useLiveLine();
  const ports = status?.ports ?? [];
  useFailCue(ports);
  const now = useNow(ports.some(isInFlight));

  const onScan = useCallback(
    async (code: string) => {
      const refused = await scan(code);
      if (refused) show('error', errorText(refused));
      else show('success', t('line.scanned', { code }));
    },
    [scan, show, errorText, t],
  );

  const hint = selectedPort === null ? t('line.scannerHint') : t('line.scannerHintPort', { n: selectedPort });

  return (
    <section className="screen line-screen" aria-labelledby="line-title">
      <header className="screen-header">
        <h1 id="line-title">{t('line.title')}</h1>
        <p className="line-run" data-testid="line-run">
          {status?.running
            ? t('line.running', { recipe: status.recipeName ?? '', lot: status.lot ?? '' })
            : t('line.stopped')}
        </p>
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      <LineControls status={status} recipes={recipes} onNewRecipe={() => setCreating(true)} />
      <div className="line-summary">
        {status ? <ShiftCounters counters={status.counters} /> : null}
        <ThroughputChart points={status?.throughput ?? []} />
        {canRun ? <ScannerInput onScan={onScan} hint={hint} /> : null}
      </div>
      {ports.length === 0 ? (
        <p className="empty-state">{t('line.noPorts')}</p>
      ) : (
        <ul className="tiles" aria-label={t('line.tiles')}>
          {ports.map((tile) => (
            <PortTileCard
              key={tile.index}
              tile={tile}
              now={now}
              selected={selectedPort === tile.index}
              onSelect={(port) => select(selectedPort === port ? null : port)}
            />
          ))}
        </ul>
      )}
      {creating ? <RecipeDialog onClose={() => setCreating(false)} /> : null}
    </section>
  );
}
