import { useTranslation } from 'react-i18next';
import type { PortFailure, PortTile } from '../../../preload/contract';
import { formatDuration } from './format';
import { tileElapsedMs, tileIcons, tileKind } from './tile-display';

interface PortTileCardProps {
  tile: PortTile;
  now: number;
  selected: boolean;
  onSelect: (port: number) => void;
}

/** The remedy in the operator's language by code; the core's own words when we have no translation. */
function useRemedy(): (failure: PortFailure) => string {
  const { t, i18n } = useTranslation();
  return (failure) => {
    const key = `line.remedy.${failure.code}`;
    return i18n.exists(key) ? t(key) : failure.remedy || t('line.remedy.default');
  };
}

/** One port, readable from two metres: number, state word + icon, serial, time, and why on FAIL. */
export function PortTileCard({ tile, now, selected, onSelect }: PortTileCardProps) {
  const { t } = useTranslation();
  const remedy = useRemedy();
  const kind = tileKind(tile.state);
  const elapsed = tileElapsedMs(tile, now);
  const labels = Object.entries(tile.labels);
  return (
    // The whole tile is a click target for a gloved hand; the port button inside serves the keyboard.
    <li
      className={`tile tile-${kind}${selected ? ' tile-selected' : ''}`}
      data-testid="port-tile"
      data-port={tile.index}
      data-state={tile.state}
      onClick={() => onSelect(tile.index)}
    >
      <button type="button" className="tile-port" aria-pressed={selected} title={tile.port}>
        {t('line.port', { n: tile.index })}
      </button>
      <p className="tile-state" data-testid="tile-state">
        <span className="tile-icon" aria-hidden="true">
          {tileIcons[kind]}
        </span>
        <span>{t(`line.state.${tile.state}`)}</span>
      </p>
      <p className="tile-serial" data-testid="tile-serial">
        {tile.serialNumber ?? t('line.noSerial')}
      </p>
      {elapsed === null ? null : (
        <p className="tile-elapsed" data-testid="tile-elapsed">
          {formatDuration(elapsed, t)}
        </p>
      )}
      {tile.alreadyProvisioned ? <p className="tile-badge">{t('line.alreadyProvisioned')}</p> : null}
      {labels.length > 0 ? (
        <ul className="tile-labels" aria-label={t('line.labels')}>
          {labels.map(([key, value]) => (
            <li key={key} data-testid="tile-label">
              {value}
            </li>
          ))}
        </ul>
      ) : null}
      {tile.failure ? (
        <div className="tile-failure" role="alert" data-testid="tile-failure">
          <strong>{t('line.failureCode', { code: tile.failure.code })}</strong>
          <span>{remedy(tile.failure)}</span>
        </div>
      ) : null}
    </li>
  );
}
