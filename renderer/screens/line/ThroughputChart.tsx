import { useTranslation } from 'react-i18next';
import type { LineStatus } from '../../../preload/contract';

const BAR = 10;
const GAP = 2;
const HEIGHT = 60;
/** The station reports the last hour; a fixed hour-wide axis keeps one busy minute from filling the chart. */
const SLOTS = 60;

/** Devices finished per minute as stacked bars; plain SVG, since a chart library is not worth its weight here. */
export function ThroughputChart({ points }: { points: LineStatus['throughput'] }) {
  const { t, i18n } = useTranslation();
  const passed = points.reduce((sum, p) => sum + p.passed, 0);
  const failed = points.reduce((sum, p) => sum + p.failed, 0);
  const highest = Math.max(1, ...points.map((p) => p.passed + p.failed));
  const scale = (n: number) => (n / highest) * HEIGHT;
  const slots = Math.max(SLOTS, points.length);
  const minute = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });
  return (
    <figure className="throughput" data-testid="throughput">
      <figcaption>{t('line.throughput.title')}</figcaption>
      {points.length === 0 ? (
        <p className="throughput-empty">{t('line.throughput.empty')}</p>
      ) : (
        <svg
          role="img"
          aria-label={t('line.throughput.label', { minutes: points.length, passed, failed })}
          viewBox={`0 0 ${slots * (BAR + GAP)} ${HEIGHT}`}
          preserveAspectRatio="none"
        >
          {points.map((p, i) => {
            // Newest minute at the right edge, as a strip chart reads.
            const x = (slots - points.length + i) * (BAR + GAP);
            const passHeight = scale(p.passed);
            const failHeight = scale(p.failed);
            return (
              <g key={p.minute}>
                <title>
                  {t('line.throughput.bar', {
                    time: minute.format(new Date(p.minute)),
                    passed: p.passed,
                    failed: p.failed,
                  })}
                </title>
                <rect className="bar-pass" x={x} y={HEIGHT - passHeight} width={BAR} height={passHeight} />
                <rect className="bar-fail" x={x} y={HEIGHT - passHeight - failHeight} width={BAR} height={failHeight} />
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}
