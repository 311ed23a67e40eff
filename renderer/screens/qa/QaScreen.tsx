import { useTranslation } from 'react-i18next';
import { useErrorText } from '../../components/use-error-text';
import { useQa } from '../../state/qa-store';
import { InspectForm } from './InspectForm';
import { InspectionResult } from './InspectionResult';
import { LotReports } from './LotReports';

export function QaScreen() {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { inspection, error } = useQa();
  return (
    <section className="screen qa-screen" aria-labelledby="qa-title">
      <header className="screen-header">
        <h1 id="qa-title">{t('qa.title')}</h1>
      </header>
      <InspectForm />
      {error ? (
        <p className="form-error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {inspection ? <InspectionResult inspection={inspection} /> : null}
      <LotReports />
    </section>
  );
}
