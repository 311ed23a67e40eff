import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Ca } from '../../../preload/contract';
import { useErrorText } from '../../components/use-error-text';
import { useCan } from '../../state/auth-store';
import { useCas } from '../../state/ca-store';
import { CaCard } from './CaCard';
import { CreateIssuingCaDialog } from './CreateIssuingCaDialog';
import { CreateRootCaDialog } from './CreateRootCaDialog';
import { ExportPemDialog } from './ExportPemDialog';
import { ImportCertificateDialog } from './ImportCertificateDialog';

type Open =
  | { kind: 'root' }
  | { kind: 'issuing' }
  | { kind: 'anchor' }
  | { kind: 'import'; ca: Ca }
  | { kind: 'export'; ca: Ca }
  | null;

export function CasPanel() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { cas, loaded, error, load } = useCas();
  const [open, setOpen] = useState<Open>(null);
  const canManage = useCan('cas.manage');
  const close = () => setOpen(null);
  const done = () => {
    setOpen(null);
    void load();
  };

  return (
    <section className="panel" aria-labelledby="cas-title" data-testid="cas-panel">
      <header className="panel-header">
        <h2 id="cas-title">{t('cas.title')}</h2>
        {canManage ? (
          <>
            <button type="button" onClick={() => setOpen({ kind: 'root' })}>
              {t('cas.createRoot')}
            </button>
            <button type="button" onClick={() => setOpen({ kind: 'issuing' })}>
              {t('cas.createIssuing')}
            </button>
            <button type="button" onClick={() => setOpen({ kind: 'anchor' })}>
              {t('cas.importTrustAnchor')}
            </button>
          </>
        ) : null}
      </header>
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {loaded && cas.length === 0 && !error ? <p className="empty-state">{t('cas.empty')}</p> : null}
      {cas.length > 0 ? (
        <ul className="ca-list">
          {cas.map((ca) => (
            <CaCard
              key={ca.id}
              ca={ca}
              onExport={() => setOpen({ kind: 'export', ca })}
              onImportCertificate={canManage ? () => setOpen({ kind: 'import', ca }) : null}
            />
          ))}
        </ul>
      ) : null}
      {open?.kind === 'root' ? <CreateRootCaDialog onClose={close} onDone={done} /> : null}
      {open?.kind === 'issuing' ? <CreateIssuingCaDialog onClose={close} onDone={done} /> : null}
      {open?.kind === 'anchor' ? <ImportCertificateDialog kind="trust-anchor" onClose={close} onDone={done} /> : null}
      {open?.kind === 'import' ? (
        <ImportCertificateDialog kind="certificate" ca={open.ca} onClose={close} onDone={done} />
      ) : null}
      {open?.kind === 'export' ? <ExportPemDialog ca={open.ca} onClose={close} /> : null}
    </section>
  );
}
